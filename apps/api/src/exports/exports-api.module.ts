import { Module } from '@nestjs/common';
import { ExportsModule } from '@metrobici/exports';
import { ExportsController } from './exports.controller';
import { PilotController } from './pilot.controller';

/** Data for the advisers (trip CSV, data packages) and the closing of the pilot. */
@Module({ imports: [ExportsModule], controllers: [ExportsController, PilotController] })
export class ExportsApiModule {}
