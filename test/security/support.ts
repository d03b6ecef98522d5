import { JwtService } from '@nestjs/jwt';
import type { ApiHarness } from '../support/api-harness';

const jwt = new JwtService({});

/** A token signed with the API's secret: issuer, audience, version 0 and 15 minutes unless `claims` say otherwise. */
export function signedToken(h: ApiHarness, claims: Record<string, unknown>): string {
  const full = { iss: 'metrobici-api', aud: 'metrobici-staff', ver: 0, ...claims };
  return jwt.sign(full, {
    secret: h.env.env.JWT_SECRET,
    algorithm: 'HS256',
    ...('exp' in claims ? {} : { expiresIn: 900 }),
  });
}

/** An open loan from `stationId`, written straight to the database (bike on loan, rider active). */
export async function openLoanAt(
  h: ApiHarness,
  stationId: string,
  checkedOutBy: string,
  options: { startedMinutesAgo?: number; riderId?: string } = {},
): Promise<{ id: string; bikeId: string; bikeCode: string; riderId: string }> {
  const bike = await h.make.bike({ state: 'on_loan' });
  const riderId = options.riderId ?? (await h.make.rider({ verifiedAtStationId: stationId })).id;
  const started = new Date(Date.now() - (options.startedMinutesAgo ?? 1) * 60_000);
  const [loan] = await h.ds.query<Array<{ id: string }>>(
    `INSERT INTO loans (journey_id, bike_id, rider_id, from_station_id, started_at, due_at, state, checked_out_by)
     VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, 'open', $6) RETURNING id`,
    [bike.id, riderId, stationId, started, new Date(started.getTime() + 3600_000), checkedOutBy],
  );
  return { id: loan.id, bikeId: bike.id, bikeCode: bike.code, riderId };
}

export const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));
