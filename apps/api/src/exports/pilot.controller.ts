import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Actor } from '@metrobici/common';
import { PilotService } from '@metrobici/exports';
import { CurrentActor, Roles } from '../auth/auth.decorators';
import { ClosePilotRequestDto, ReopenPilotRequestDto } from './export.dto';

@ApiTags('pilot')
@ApiBearerAuth()
@Controller('api/v1/pilot')
export class PilotController {
  constructor(private readonly pilot: PilotService) {}

  @Get()
  @Roles('admin', 'operator', 'planner')
  @ApiOperation({ summary: 'Whether the pilot runs, its closing, the final data package and the loans still open' })
  get(@CurrentActor() actor: Actor) {
    return this.pilot.view(actor);
  }

  @Post('close')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({
    summary: 'Close the pilot: no more check-outs (returns still accepted), GBFS termination_date, final data package',
  })
  close(@CurrentActor() actor: Actor, @Body() body: ClosePilotRequestDto) {
    return this.pilot.close(actor, { endDate: body.endDate });
  }

  @Post('reopen')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({ summary: 'Reopen a closed pilot (logged with the reason)' })
  reopen(@CurrentActor() actor: Actor, @Body() body: ReopenPilotRequestDto) {
    return this.pilot.reopen(actor, { reason: body.reason });
  }
}
