import { type DynamicModule, type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { Clock, ClockModule } from '@metrobici/common';
import { type AppConfig, ConfigModule } from '@metrobici/config';
import { DatabaseModule } from '@metrobici/database';
import { ENTITIES } from '../../entities';
import { RedisModule } from '@metrobici/redis';
import { StationsModule } from '@metrobici/stations';
import { AuthModule } from './auth/auth.module';
import { AuthGuard } from './auth/auth.guard';
import { ErrorFilter } from './common/error.filter';
import { LimitsModule } from './common/limits.module';
import { RateLimitGuard } from './common/rate-limit.guard';
import { RequestContextMiddleware } from './common/request-context.middleware';
import { HealthController } from './health/health.controller';
import { StaffController } from './staff/staff.controller';
import { StaffSessionsController } from './staff/staff-sessions.controller';
import { StationsController } from './stations/stations.controller';
import { FEATURE_MODULES } from './features';

export interface ApiModuleOptions {
  config: AppConfig;
  clock?: Clock;
}

@Module({})
export class ApiModule implements NestModule {
  static forRoot({ config, clock }: ApiModuleOptions): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        ConfigModule.forRoot(config),
        ClockModule.forRoot(clock),
        DatabaseModule.forRoot(ENTITIES),
        RedisModule,
        LimitsModule,
        AuthModule,
        StationsModule,
        ...FEATURE_MODULES,
      ],
      controllers: [HealthController, StationsController, StaffSessionsController, StaffController],
      providers: [
        { provide: APP_FILTER, useClass: ErrorFilter },
        { provide: APP_GUARD, useClass: RateLimitGuard },
        { provide: APP_GUARD, useClass: AuthGuard },
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(RequestContextMiddleware).forRoutes('*path');
  }
}
