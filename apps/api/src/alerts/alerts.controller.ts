import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsUUID, Matches, Max, Min } from 'class-validator';
import type { Actor } from '@metrobici/common';
import { type AlertListState, AlertService } from '@metrobici/alerts';
import { CurrentActor, Roles } from '../auth/auth.decorators';

export class ListAlertsQueryDto {
  /** open (default): neither acknowledged nor resolved; acknowledged; resolved; all */
  @IsOptional()
  @IsIn(['open', 'acknowledged', 'resolved', 'all'])
  state?: AlertListState;

  @IsOptional()
  @IsUUID()
  stationId?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}

export class AlertIdParamDto {
  @Matches(/^\d{1,18}$/, { message: 'id must be a number' })
  id: string;
}

@ApiTags('alerts')
@ApiBearerAuth()
@Roles('operator', 'admin')
@Controller('api/v1/alerts')
export class AlertsController {
  constructor(private readonly alerts: AlertService) {}

  @Get()
  @ApiOperation({ summary: 'Stored staff alerts, newest first (operators: of their stations; admins: all)' })
  list(@CurrentActor() actor: Actor, @Query() query: ListAlertsQueryDto) {
    return this.alerts.list(actor, query);
  }

  @Post(':id/ack')
  @HttpCode(200)
  @ApiOperation({ summary: 'Acknowledges an alert (who and when); the staff sockets get alert:acknowledged' })
  acknowledge(@CurrentActor() actor: Actor, @Param() params: AlertIdParamDto) {
    return this.alerts.acknowledge(actor, params.id);
  }
}
