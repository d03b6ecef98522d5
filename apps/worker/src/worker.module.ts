import { type DynamicModule, Module } from '@nestjs/common';
import { BullModule } from '@nestjs/bullmq';
import { type Clock, ClockModule } from '@metrobici/common';
import { APP_CONFIG, type AppConfig, ConfigModule } from '@metrobici/config';
import { DatabaseModule } from '@metrobici/database';
import { RedisModule, redisConnectionOptions } from '@metrobici/redis';
import { WorkerHealthServer } from './health/worker-health.server';
import { SystemProcessor } from './processors/system.processor';
import { SYSTEM_QUEUE } from './queues';
import { RedisPolicyCheck } from './redis-policy.check';
import { LoansModule } from '@metrobici/loans';
import { StationsModule } from '@metrobici/stations';
import { OutboxPublisher } from './outbox/outbox-publisher';
import { OutboxRelay } from './outbox/outbox.relay';

@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig, clock?: Clock): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config),
        ClockModule.forRoot(clock),
        DatabaseModule,
        RedisModule,
        BullModule.forRootAsync({
          inject: [APP_CONFIG],
          useFactory: (c: AppConfig) => ({ connection: redisConnectionOptions(c.redis.url), prefix: 'metrobici' }),
        }),
        BullModule.registerQueue({ name: SYSTEM_QUEUE }),
        StationsModule,
        LoansModule,
      ],
      providers: [SystemProcessor, WorkerHealthServer, RedisPolicyCheck, OutboxPublisher, OutboxRelay],
    };
  }
}
