import type { MigrationInterface } from 'typeorm';
import { InitialSchema1795571131193 } from './1795571131193-initial-schema';
import { BikeEventsAppendOnly1795571132193 } from './1795571132193-bike-events-append-only';
import { OutboxNotify1795571133193 } from './1795571133193-outbox-notify';
import { TripStats1795571134193 } from './1795571134193-trip-stats';
import { ExportsAndPilot1795571135193 } from './1795571135193-exports-and-pilot';
import { AgencyRole1795571140193 } from './1795571140193-agency-role';
import { StaffTokenVersion1795571150193 } from './1795571150193-staff-token-version';
import { IdempotencyLeasesOutboxDeadLetter1795571170193 } from './1795571170193-idempotency-leases-outbox-dead-letter';
import { RiderPrivacy1795571180193 } from './1795571180193-rider-privacy';
import { StationShifts1795571190193 } from './1795571190193-station-shifts';

/** The one linear history, oldest first. Generated migrations are never edited once committed. */
export const MIGRATIONS: Array<new () => MigrationInterface> = [
  InitialSchema1795571131193,
  BikeEventsAppendOnly1795571132193,
  OutboxNotify1795571133193,
  TripStats1795571134193,
  ExportsAndPilot1795571135193,
  AgencyRole1795571140193,
  StaffTokenVersion1795571150193,
  IdempotencyLeasesOutboxDeadLetter1795571170193,
  RiderPrivacy1795571180193,
  StationShifts1795571190193,
];
