import { type DynamicModule, Module } from '@nestjs/common';
import { BullModule } from '@nestjs/bullmq';
import { DiscoveryModule } from '@nestjs/core';
import { type Clock, ClockModule } from '@metrobici/common';
import { APP_CONFIG, type AppConfig, ConfigModule } from '@metrobici/config';
import { DatabaseModule } from '@metrobici/database';
import { ENTITIES } from '../../entities';
import { RedisModule, redisConnectionOptions } from '@metrobici/redis';
import { WorkerHealthServer } from './health/worker-health.server';
import { SystemProcessor } from './processors/system.processor';
import { ExportsProcessor } from './processors/exports.processor';
import { StatsProcessor } from './processors/stats.processor';
import { TripsProcessor } from './processors/trips.processor';
import { EXPORTS_QUEUE, STATS_QUEUE, SYSTEM_QUEUE, TRIPS_QUEUE } from './queues';
import { RedisPolicyCheck } from './redis-policy.check';
import { WorkerDrain } from './worker-drain';
import { ReconciliationJob } from './processors/reconciliation-job';
import { ScheduleKeeper } from './processors/schedule-keeper';
import { LoansModule } from '@metrobici/loans';
import { StationsModule } from '@metrobici/stations';
import { ExportsModule } from '@metrobici/exports';
import { StatsModule } from '@metrobici/stats';
import { PrivacyModule } from '@metrobici/privacy';
import { OutboxPublisher } from './outbox/outbox-publisher';
import { OutboxRelay } from './outbox/outbox.relay';

@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig, clock?: Clock): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config),
        DiscoveryModule,
        ClockModule.forRoot(clock),
        DatabaseModule.forRoot(ENTITIES),
        RedisModule,
        BullModule.forRootAsync({
          inject: [APP_CONFIG],
          useFactory: (c: AppConfig) => ({ connection: redisConnectionOptions(c.redis.url), prefix: 'metrobici' }),
        }),
        BullModule.registerQueue(
          { name: SYSTEM_QUEUE },
          { name: EXPORTS_QUEUE },
          { name: TRIPS_QUEUE },
          { name: STATS_QUEUE },
        ),
        StationsModule,
        LoansModule,
        ExportsModule,
        StatsModule,
        PrivacyModule,
      ],
      providers: [
        SystemProcessor,
        WorkerHealthServer,
        RedisPolicyCheck,
        OutboxPublisher,
        OutboxRelay,
        ExportsProcessor,
        TripsProcessor,
        StatsProcessor,
        WorkerDrain,
        ScheduleKeeper,
        ReconciliationJob,
      ],
    };
  }
}
