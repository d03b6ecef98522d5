import { type DynamicModule, type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { Clock, ClockModule } from '@metrobici/common';
import { type AppConfig, ConfigModule } from '@metrobici/config';
import { DatabaseModule } from '@metrobici/database';
import { RedisModule } from '@metrobici/redis';
import { StationsModule } from '@metrobici/stations';
import { AuthModule } from './auth/auth.module';
import { AuthGuard } from './auth/auth.guard';
import { ErrorFilter } from './common/error.filter';
import { RateLimitGuard } from './common/rate-limit.guard';
import { RequestContextMiddleware } from './common/request-context.middleware';
import { HealthController } from './health/health.controller';
import { StaffController } from './staff/staff.controller';
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
        DatabaseModule,
        RedisModule,
        AuthModule,
        StationsModule,
        ...FEATURE_MODULES,
      ],
      controllers: [HealthController, StationsController, StaffController],
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
