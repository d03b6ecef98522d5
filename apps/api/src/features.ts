import type { DynamicModule, Type } from '@nestjs/common';
import { AlertsApiModule } from './alerts/alerts-api.module';
import { ExportsApiModule } from './exports/exports-api.module';
import { FleetApiModule } from './fleet/fleet-api.module';
import { GbfsApiModule } from './gbfs/gbfs-api.module';
import { LoansApiModule } from './loans/loans-api.module';
import { MdsApiModule } from './mds/mds-api.module';
import { RealtimeModule } from './realtime/realtime.module';
import { ReceiptsApiModule } from './receipts/receipts-api.module';
import { RidersApiModule } from './riders/riders-api.module';
import { StationOpsApiModule } from './station-ops/station-ops-api.module';
import { StatsApiModule } from './stats/stats-api.module';
import { WebModule } from './web/web.module';

/** Feature modules (each with its controllers) plugged into the API. */
export const FEATURE_MODULES: Array<Type<unknown> | DynamicModule> = [
  RidersApiModule,
  FleetApiModule,
  LoansApiModule,
  RealtimeModule,
  GbfsApiModule,
  WebModule,
  ExportsApiModule,
  StatsApiModule,
  MdsApiModule,
  AlertsApiModule,
  StationOpsApiModule,
  ReceiptsApiModule,
];
