import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type Actor, DomainError, isValidLocalDate, startOfBogotaDay } from '@metrobici/common';
import { IncidentService, ShiftService, StationReportService } from '@metrobici/station-ops';
import { CurrentActor, Roles } from '../auth/auth.decorators';
import { UuidPipe } from '../common/uuid.pipe';
import {
  CloseShiftRequestDto,
  ListIncidentsQueryDto,
  ListShiftsQueryDto,
  ReportIncidentRequestDto,
  ShiftCountRequestDto,
  StationReportQueryDto,
} from './station-ops.dto';

@ApiTags('station operations')
@ApiBearerAuth()
@Controller('api/v1')
export class StationOpsController {
  constructor(
    private readonly shifts: ShiftService,
    private readonly incidents: IncidentService,
    private readonly reports: StationReportService,
  ) {}

  @Post('stations/:id/shifts')
  @Roles('operator', 'admin')
  @ApiOperation({
    summary: 'Opens the operator’s shift with a count of bikes and helmets (a difference with the system is an alert)',
  })
  openShift(
    @CurrentActor() actor: Actor,
    @Param('id', UuidPipe) stationId: string,
    @Body() body: ShiftCountRequestDto,
  ) {
    return this.shifts.open(actor, stationId, body);
  }

  @Get('stations/:id/shifts')
  @Roles('operator', 'admin')
  @ApiOperation({ summary: 'Shifts of a station, newest first (state=open: the open ones)' })
  listShifts(
    @CurrentActor() actor: Actor,
    @Param('id', UuidPipe) stationId: string,
    @Query() query: ListShiftsQueryDto,
  ) {
    return this.shifts.list(actor, stationId, query);
  }

  @Post('shifts/:id/close')
  @HttpCode(200)
  @Roles('operator', 'admin')
  @ApiOperation({ summary: 'Closes a shift with the final count (a difference with the system is an alert)' })
  closeShift(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string, @Body() body: CloseShiftRequestDto) {
    return this.shifts.close(actor, id, body);
  }

  @Get('stations/:id/report')
  @Roles('operator', 'admin', 'planner')
  @ApiOperation({
    summary: 'The station’s day (Bogotá): check-outs, returns, renewals, overdue, damage, incidents, shifts',
  })
  report(
    @CurrentActor() actor: Actor,
    @Param('id', UuidPipe) stationId: string,
    @Query() query: StationReportQueryDto,
  ) {
    return this.reports.day(actor, stationId, query.date);
  }

  @Post('incidents')
  @Roles('operator', 'admin')
  @ApiOperation({ summary: 'Records an incident at a station (an injury alerts the admins at once)' })
  reportIncident(@CurrentActor() actor: Actor, @Body() body: ReportIncidentRequestDto) {
    return this.incidents.report(actor, body);
  }

  @Get('incidents')
  @Roles('operator', 'admin')
  @ApiOperation({ summary: 'Incidents, newest first (operators: of their stations), by station and Bogotá days' })
  listIncidents(@CurrentActor() actor: Actor, @Query() query: ListIncidentsQueryDto) {
    const day = (d: string | undefined, end: boolean) => {
      if (d === undefined) return undefined;
      if (!isValidLocalDate(d)) throw new DomainError('VALIDATION_FAILED', 'Fecha inválida.', { date: d });
      const start = startOfBogotaDay(d);
      return end ? new Date(start.getTime() + 24 * 3600_000) : start;
    };
    return this.incidents.list(actor, {
      stationId: query.stationId,
      from: day(query.from, false),
      to: day(query.to, true),
      limit: query.limit,
    });
  }
}
