import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Actor } from '@metrobici/common';
import { StatsService } from '@metrobici/stats';
import { CurrentActor, Roles } from '../auth/auth.decorators';
import { StatsQueryDto } from './stats.dto';

/** KPIs for planners and C40 advisers; local dates (America/Bogota), `from` and `to` inclusive. */
@ApiTags('stats')
@ApiBearerAuth()
@Controller('api/v1/stats')
@Roles('planner', 'admin')
export class StatsController {
  constructor(private readonly stats: StatsService) {}

  @Get('summary')
  @ApiOperation({
    summary: 'Headline KPIs of the range: trips, riders, durations, trips per bike per day, shares, fleet',
  })
  summary(@CurrentActor() actor: Actor, @Query() query: StatsQueryDto) {
    return this.stats.summary(actor, query);
  }

  @Get('daily')
  @ApiOperation({ summary: 'One row per local date of the range' })
  daily(@CurrentActor() actor: Actor, @Query() query: StatsQueryDto) {
    return this.stats.daily(actor, query);
  }

  @Get('hourly')
  @ApiOperation({ summary: 'Departures and arrivals per local date, hour and station' })
  hourly(@CurrentActor() actor: Actor, @Query() query: StatsQueryDto) {
    return this.stats.hourly(actor, query);
  }

  @Get('stations')
  @ApiOperation({ summary: 'Per station: departures, arrivals, net flow, empty and full time from the samples' })
  stations(@CurrentActor() actor: Actor, @Query() query: StatsQueryDto) {
    return this.stats.stations(actor, query);
  }

  @Get('od')
  @ApiOperation({ summary: 'Origin–destination pairs with exact trip counts' })
  od(@CurrentActor() actor: Actor, @Query() query: StatsQueryDto) {
    return this.stats.od(actor, query);
  }

  @Get('donors')
  @ApiOperation({ summary: 'Usage of the bikes of each donor' })
  donors(@CurrentActor() actor: Actor, @Query() query: StatsQueryDto) {
    return this.stats.donors(actor, query);
  }
}
