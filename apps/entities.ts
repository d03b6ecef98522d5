// The one list of entity classes, composed here (above the libs) because `libs/database` imports
// no domain lib. Every entity belongs to the lib that owns its table (libs/database/README.md).
// Used by the api and worker (`DatabaseModule.forRoot(ENTITIES)`), the CLI, the tests and the
// benchmarks (`createDataSource(url, { entities: ENTITIES })`).
import { AlertEntity } from '@metrobici/alerts';
import { ExportEntity } from '@metrobici/exports';
import { BikeEntity, BikeEventEntity, DonorEntity, RebalancingMoveEntity } from '@metrobici/fleet';
import { IdempotencyRecordEntity } from '@metrobici/idempotency';
import { LoanEntity, LoanReceiptEntity } from '@metrobici/loans';
import { OutboxEventEntity } from '@metrobici/outbox';
import { PersonalDataReadEntity, RiderConsentEntity, RiderEntity, RiderProfileChangeEntity } from '@metrobici/riders';
import { StaffRefreshTokenEntity, StaffSessionEntity, StaffUserEntity } from '@metrobici/staff';
import { IncidentEntity, StationShiftEntity } from '@metrobici/station-ops';
import { StationSampleEntity, TripFactEntity } from '@metrobici/stats';
import { PilotEventEntity, PilotStateEntity, StationEntity } from '@metrobici/stations';

export const ENTITIES = [
  StationEntity,
  DonorEntity,
  BikeEntity,
  BikeEventEntity,
  RebalancingMoveEntity,
  RiderEntity,
  RiderConsentEntity,
  RiderProfileChangeEntity,
  PersonalDataReadEntity,
  StaffUserEntity,
  LoanEntity,
  IdempotencyRecordEntity,
  OutboxEventEntity,
  TripFactEntity,
  StationSampleEntity,
  PilotStateEntity,
  PilotEventEntity,
  ExportEntity,
  StaffSessionEntity,
  StaffRefreshTokenEntity,
  LoanReceiptEntity,
  AlertEntity,
  StationShiftEntity,
  IncidentEntity,
];
