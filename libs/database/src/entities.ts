import { BikeEntity, BikeEventEntity, DonorEntity, RebalancingMoveEntity } from '@metrobici/fleet';
import { IdempotencyRecordEntity, LoanEntity } from '@metrobici/loans';
import { OutboxEventEntity } from '@metrobici/outbox';
import { RiderEntity } from '@metrobici/riders';
import { StaffUserEntity } from '@metrobici/staff';
import { StationSampleEntity, TripFactEntity } from '@metrobici/stats';
import { PilotEventEntity, PilotStateEntity, StationEntity } from '@metrobici/stations';
import { ExportEntity } from '@metrobici/exports';

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
  TripFactEntity,
  StationSampleEntity,
  PilotStateEntity,
  PilotEventEntity,
  ExportEntity,
];
