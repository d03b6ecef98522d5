import { Module } from '@nestjs/common';
import { IncidentService } from './incident.service';
import { ShiftService } from './shift.service';
import { StationReportService } from './station-report.service';

@Module({
  providers: [ShiftService, IncidentService, StationReportService],
  exports: [ShiftService, IncidentService, StationReportService],
})
export class StationOpsModule {}
