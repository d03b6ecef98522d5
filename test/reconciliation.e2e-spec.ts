import { payloadProblems } from '@metrobici/outbox';
import { aggregateTripFact, reconcile } from '@metrobici/stats';
import { DataSource } from 'typeorm';
import { createDataSource } from '@metrobici/database';
import { ENTITIES } from '../apps/entities';
import { Factories } from './support/factories';
import { createTestEnv, type TestEnv } from './support/test-env';
import { generateTripWorld } from './support/trip-generator';

/**
 * Reconciliation against the real database: planted counter drift is reported (with the numbers,
 * as an outbox alert) and left alone; trip facts missing for closed trips are derived, exactly once.
 */
describe('reconciliation (integration)', () => {
  let env: TestEnv;
  let ds: DataSource;
  let make: Factories;

  beforeAll(async () => {
    env = await createTestEnv();
    ds = createDataSource(env.databaseUrl, { entities: ENTITIES });
    await ds.initialize();
    make = new Factories(ds);
  });
  afterAll(async () => {
    await ds?.destroy();
    await env?.teardown();
  });

  it('finds nothing to do on consistent data', async () => {
    const station = await make.station();
    await make.bike({ stationId: station.id });
    await make.bike({ stationId: station.id, state: 'maintenance' });
    const result = await reconcile(ds, { co2GramsPerKm: 120 });
    expect(result).toMatchObject({ counterDrift: [], missingTripFacts: 0, repairedTripFacts: 0 });
    expect(result.stationsChecked).toBeGreaterThanOrEqual(1);
  });

  it('reports counter drift with the numbers as an admin alert, and changes no counter', async () => {
    const station = await make.station({ capacity: 10 });
    await make.bike({ stationId: station.id });
    await make.bike({ stationId: station.id });
    await make.bike({ stationId: station.id, state: 'maintenance' });
    // Docked 3 (2 available) in the bikes table; the counters say 4 docked, 1 available.
    await ds.query('UPDATE stations SET bikes_docked = 4, bikes_available = 1 WHERE id = $1', [station.id]);
    const before: unknown[] = await ds.query("SELECT id FROM outbox_events WHERE type = 'station.counters_drifted'");

    const result = await reconcile(ds, { co2GramsPerKm: 120 });

    expect(result.counterDrift).toEqual([
      {
        stationId: station.id,
        stationCode: station.code,
        bikesDocked: 4,
        expectedBikesDocked: 3,
        bikesAvailable: 1,
        expectedBikesAvailable: 2,
      },
    ]);
    const alerts: Array<{ aggregate_id: string; payload: Record<string, unknown> }> = await ds.query(
      "SELECT aggregate_id, payload FROM outbox_events WHERE type = 'station.counters_drifted' ORDER BY id",
    );
    expect(alerts).toHaveLength(before.length + 1);
    const alert = alerts.at(-1)!;
    expect(alert.aggregate_id).toBe(station.id);
    expect(alert.payload).toMatchObject({ bikesDocked: 4, expectedBikesDocked: 3, detectedAt: result.checkedAt });
    expect(payloadProblems('station.counters_drifted', alert.payload)).toEqual([]);
    const [counters] = await ds.query('SELECT bikes_docked, bikes_available FROM stations WHERE id = $1', [station.id]);
    expect(counters).toEqual({ bikes_docked: 4, bikes_available: 1 });

    // Repaired by hand: the next run is quiet again.
    await ds.query('UPDATE stations SET bikes_docked = 3, bikes_available = 2 WHERE id = $1', [station.id]);
    expect((await reconcile(ds, { co2GramsPerKm: 120, alert: false })).counterDrift).toEqual([]);
  });

  it('derives missing trip facts once, leaving recent trips to the worker', async () => {
    // Closed trips without facts (no outbox rows, no worker): the reconciliation's job.
    const world = await generateTripWorld(ds, {
      from: '2026-03-02',
      days: 5,
      journeysPerDay: 40,
      seed: 77,
      outbox: false,
      codePrefix: 'REC',
    });
    expect(world.trips).toBeGreaterThan(50);
    // One fact already there (the worker got to it): not counted as missing, not duplicated.
    const [first] = world.loans.filter(
      (l) => l.state === 'closed' && ['returned', 'renewed', 'forced'].includes(l.endReason ?? ''),
    );
    await aggregateTripFact(ds, first.id, 120);
    // A trip that ended a moment ago is the worker's (its job may be on its way).
    await ds.query(
      `UPDATE loans SET ended_at = now() - interval '10 seconds', started_at = now() - interval '20 minutes'
                     WHERE id = (SELECT id FROM loans WHERE state = 'closed' AND end_reason = 'returned' AND id <> $1
                                   AND NOT EXISTS (SELECT 1 FROM loans n WHERE n.journey_id = loans.journey_id AND n.started_at > loans.started_at)
                                 ORDER BY id LIMIT 1)`,
      [first.id],
    );

    const result = await reconcile(ds, { co2GramsPerKm: 120 });
    expect(result.missingTripFacts).toBe(world.trips - 2);
    expect(result.repairedTripFacts).toBe(world.trips - 2);
    const [counts] = await ds.query(
      `SELECT (SELECT count(*) FROM trip_facts)::int AS facts,
              (SELECT count(*) FROM loans l WHERE l.state = 'closed' AND l.end_reason IN ('returned', 'renewed', 'forced'))::int AS trips`,
    );
    expect(counts).toEqual({ facts: world.trips - 1, trips: world.trips });

    // Run again, and with no grace period: only the recent trip is left, and then nothing.
    expect(await reconcile(ds, { co2GramsPerKm: 120 })).toMatchObject({ missingTripFacts: 0, repairedTripFacts: 0 });
    expect(await reconcile(ds, { co2GramsPerKm: 120, graceSeconds: 0 })).toMatchObject({
      missingTripFacts: 1,
      repairedTripFacts: 1,
    });
    const [after] = await ds.query('SELECT count(*)::int AS n FROM trip_facts');
    expect(after.n).toBe(world.trips);
  });
});
