import { Module } from '@nestjs/common';
import { StationsModule } from '@metrobici/stations';
import { ExportService } from './export.service';
import { ExportsPool } from './exports-pool';
import { PilotService } from './pilot/pilot.service';

@Module({
  imports: [StationsModule],
  providers: [ExportsPool, ExportService, PilotService],
  exports: [ExportService, PilotService],
})
export class ExportsModule {}
