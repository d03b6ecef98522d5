import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AlertService } from '@metrobici/alerts';
import { type Actor, bogotaDate } from '@metrobici/common';
import { ExportService, PilotService } from '@metrobici/exports';
import { FleetService } from '@metrobici/fleet';
import { LoanService } from '@metrobici/loans';
import { OUTBOX_PAYLOAD_SHAPES, type OutboxEventType, payloadProblems, recordOutboxFailures } from '@metrobici/outbox';
import { IncidentService, ShiftService } from '@metrobici/station-ops';
import { touchStation } from '@metrobici/stations';
import { reconcile } from '@metrobici/stats';
import { startApi, type ApiHarness } from './support/api-harness';

/**
 * The outbox contract: every writer of outbox rows — `appendToOutbox` and the statements that build
 * their payload in SQL (station counters, overdue loans, nightly export, export progress, pilot
 * closing, dead letter) — produces payloads whose keys and JSON value types are those of `OutboxEventMap`
 * (through `OUTBOX_PAYLOAD_SHAPES`, which `tsc` keeps equal to the map). No worker runs, so every
 * row written stays in the table to be checked.
 */
describe('outbox payloads match OutboxEventMap (integration)', () => {
  let h: ApiHarness;
  let exportsDir: string;
  let admin: Actor;

  beforeAll(async () => {
    exportsDir = mkdtempSync(join(tmpdir(), 'metrobici-outbox-contract-'));
    h = await startApi({ env: { EXPORTS_DIR: exportsDir, NIGHTLY_EXPORT_CRON: '' } });
    const staff = await h.make.staff('admin');
    admin = { id: staff.id, email: staff.email, role: 'admin', stationIds: null };
  });
  afterAll(async () => {
    await h?.close();
    rmSync(exportsDir, { recursive: true, force: true });
  });

  const rows = async (type?: OutboxEventType) =>
    h.ds.query<Array<{ id: string; type: string; payload: Record<string, unknown> }>>(
      `SELECT id, type, payload FROM outbox_events ${type ? 'WHERE type = $1' : ''} ORDER BY id`,
      type ? [type] : [],
    );

  it('every writer produces the keys and value types of the map', async () => {
    const loans = h.app.get(LoanService);
    const fleet = h.app.get(FleetService);
    const exports = h.app.get(ExportService);
    const a = await h.make.station();
    const b = await h.make.station();
    // SQL writer: station counters.
    await h.ds.transaction((m) => touchStation(m, a.id));
    const bike = await h.make.bike({ stationId: a.id });
    const rider = await h.make.rider();

    // appendToOutbox: loan.opened, loan.closed (renewed, returned).
    const out = await loans.checkOut(admin, { bikeCode: bike.code, stationId: a.id, riderId: rider.id, helmet: true });
    const next = (await loans.renew(admin, out.body.id, { stationId: b.id })).body;
    // SQL writer: loan.overdue (the check runs as if an hour had passed).
    expect(await loans.flagOverdue(new Date(Date.now() + 3 * 3600_000))).toBe(1);
    await loans.forceReturn(admin, next.id, { stationId: b.id, reason: 'contrato de prueba' });

    // appendToOutbox: bike alerts.
    const damaged = await h.make.bike({ stationId: a.id });
    await fleet.reportDamage(admin, damaged.id, { note: 'freno suelto' });
    const lost = await h.make.bike({ stationId: a.id });
    await fleet.reportMissing(admin, lost.id, { policeReport: 'D-123' });

    // appendToOutbox (issue 12): a shift count that differs, an incident, an alert acknowledged.
    await h.app.get(ShiftService).open(admin, a.id, { bikesCounted: 99, helmetsCounted: 0 });
    await h.app.get(IncidentService).report(admin, { type: 'injury', stationId: a.id, description: 'caída' });
    const [stored] = await h.ds.query<Array<{ id: string }>>(
      `INSERT INTO alerts (outbox_id, kind, station_id, audience, message, data, since)
       VALUES (1, 'bike_damaged', $1, 'station', 'contrato', '{}', now()) RETURNING id`,
      [a.id],
    );
    await h.app.get(AlertService).acknowledge(admin, String(stored.id));

    // appendToOutbox: export.requested; SQL writers: nightly export.requested, export.progress.
    await exports.request(admin, { from: '2019-10-03', to: '2019-10-04' });
    const nightly = await exports.requestNightly(new Date());
    expect(nightly).not.toBeNull();
    await expect(exports.build(nightly as string, { finalAttempt: true })).resolves.toMatchObject({
      state: 'completed',
    });
    // SQL writer through the stations lib: the pilot's closing republishes every station.
    await h.app.get(PilotService).close(admin, { endDate: bogotaDate(new Date()) });

    // appendToOutbox: station.counters_drifted, from the reconciliation finding a planted drift.
    await h.ds.query('UPDATE stations SET bikes_docked = bikes_docked + 1 WHERE id = $1', [b.id]);
    expect((await reconcile(h.ds, { co2GramsPerKm: 120 })).counterDrift).toHaveLength(1);

    // SQL writer: outbox.dead_lettered, when a row fails its last allowed publish attempt.
    const [victim] = await rows('loan.opened');
    await expect(recordOutboxFailures(h.ds, [{ id: victim.id, error: 'contrato' }], 1)).resolves.toEqual([
      { id: String(victim.id), type: 'loan.opened' },
    ]);

    const all = await rows();
    const problems = all.flatMap((r) => payloadProblems(r.type, r.payload).map((p) => `row ${r.id}: ${p}`));
    expect(problems).toEqual([]);
    expect(new Set(all.map((r) => r.type))).toEqual(new Set(Object.keys(OUTBOX_PAYLOAD_SHAPES)));

    // Times are the ISO strings Date.toISOString() gives, whichever writer made them.
    for (const r of all)
      for (const [key, value] of Object.entries(r.payload))
        if (key.endsWith('At') && typeof value === 'string') expect(new Date(value).toISOString()).toBe(value);

    // The SQL writers' rows, one by one.
    const overdue = await rows('loan.overdue');
    expect(overdue).toHaveLength(1);
    expect(overdue[0].payload).toMatchObject({ loanId: next.id, bikeCode: bike.code, fromStationId: b.id });
    expect((await rows('export.requested')).map((r) => r.payload.kind).sort()).toEqual([
      'nightly',
      'on_request',
      'pilot_final',
    ]);
    // The build's start and end (`transition`) and its steps in between (`advance`).
    const progress = (await rows('export.progress')).map(
      (r) => `${String(r.payload.state)} ${String(r.payload.progress)}`,
    );
    expect(progress[0]).toBe('active 0');
    expect(progress.at(-1)).toBe('completed 100');
    expect(progress.length).toBeGreaterThan(2);
    const counters = (await rows('station.availability_changed')).filter((r) => r.payload.stationId === a.id);
    expect(counters.length).toBeGreaterThanOrEqual(3);
  });

  it('payloadProblems names a missing key, an extra key and a wrong type', () => {
    expect(
      payloadProblems('export.progress', { exportId: 'x', state: 'active', progress: '5', extra: 1 }).sort(),
    ).toEqual(['export.progress.progress: expected number, got string', 'export.progress: extra key extra']);
    expect(payloadProblems('export.requested', { exportId: 'x' })).toEqual(['export.requested: missing key kind']);
    expect(payloadProblems('no.such_event', {})).toEqual(['unknown event type no.such_event']);
  });
});
