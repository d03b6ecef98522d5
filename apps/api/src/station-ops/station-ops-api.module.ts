import { Module } from '@nestjs/common';
import { StationOpsModule } from '@metrobici/station-ops';
import { StationOpsController } from './station-ops.controller';

/** Shifts, incidents and the station's daily report (issue 12). */
@Module({ imports: [StationOpsModule], controllers: [StationOpsController] })
export class StationOpsApiModule {}
