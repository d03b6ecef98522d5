import { Module } from '@nestjs/common';
import { IdempotencyService } from './idempotency.service';

/** Needs the app's DataSource, the global `APP_CONFIG` and `Clock`. */
@Module({ providers: [IdempotencyService], exports: [IdempotencyService] })
export class IdempotencyModule {}
