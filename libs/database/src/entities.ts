import { BikeEntity, BikeEventEntity, DonorEntity, RebalancingMoveEntity } from '@metrobici/fleet';
import { IdempotencyRecordEntity, LoanEntity } from '@metrobici/loans';
import { OutboxEventEntity } from '@metrobici/outbox';
import { RiderEntity } from '@metrobici/riders';
import { StaffUserEntity } from '@metrobici/staff';
import { StationEntity } from '@metrobici/stations';

export const ENTITIES = [
  StationEntity,
  DonorEntity,
  BikeEntity,
  BikeEventEntity,
  RebalancingMoveEntity,
  RiderEntity,
  StaffUserEntity,
  LoanEntity,
  IdempotencyRecordEntity,
  OutboxEventEntity,
];
