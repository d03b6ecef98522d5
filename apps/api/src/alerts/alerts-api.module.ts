import { Module } from '@nestjs/common';
import { AlertsModule } from '@metrobici/alerts';
import { AlertsController } from './alerts.controller';

/** Stored staff alerts: list and acknowledge (issue 12). */
@Module({ imports: [AlertsModule], controllers: [AlertsController] })
export class AlertsApiModule {}
