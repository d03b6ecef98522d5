import { Body, Controller, Get, Headers, HttpCode, Param, type PipeTransform, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type Actor, DomainError } from '@metrobici/common';
import { FleetService } from '@metrobici/fleet';
import { CurrentActor, Roles } from '../auth/auth.decorators';
import { IDEMPOTENCY_HEADER, IdempotencyKeyHeader, idempotencyKey, sendIdempotent } from '../common/idempotency-key';
import { UuidPipe } from '../common/uuid.pipe';
import {
  ListBikesQueryDto,
  MarkFoundRequestDto,
  RegisterBikeRequestDto,
  RepairBikeRequestDto,
  ReportDamageRequestDto,
  ReportMissingRequestDto,
  RetireBikeRequestDto,
} from './fleet.dto';

/** Frame codes in paths are bounded like in bodies; anything else is a 400, not a lookup. */
class ParseBikeCodePipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!/^[A-Z0-9-]{2,32}$/.test(value))
      throw new DomainError('VALIDATION_FAILED', 'El código de bicicleta no es válido.');
    return value;
  }
}

@ApiTags('fleet')
@ApiBearerAuth()
@Controller('api/v1/bikes')
export class BikesController {
  constructor(private readonly fleet: FleetService) {}

  @Get()
  @Roles('admin', 'operator', 'planner')
  @ApiOperation({ summary: 'Bikes by code, filtered by station, state or donor' })
  list(@CurrentActor() actor: Actor, @Query() query: ListBikesQueryDto) {
    return this.fleet.list(actor, query);
  }

  @Get('by-code/:code')
  @Roles('admin', 'operator', 'planner')
  @ApiOperation({ summary: 'One bike by the code on its frame' })
  getByCode(@CurrentActor() actor: Actor, @Param('code', new ParseBikeCodePipe()) code: string) {
    return this.fleet.getByCode(actor, code);
  }

  @Get(':id')
  @Roles('admin', 'operator', 'planner')
  get(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string) {
    return this.fleet.get(actor, id);
  }

  @Get(':id/events')
  @Roles('admin', 'operator', 'planner')
  @ApiOperation({ summary: "The bike's append-only log, newest first" })
  events(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string) {
    return this.fleet.events(actor, id);
  }

  @Post()
  @Roles('admin')
  @ApiOperation({ summary: 'Register a donated bike, available at a station or depot' })
  register(@CurrentActor() actor: Actor, @Body() body: RegisterBikeRequestDto) {
    return this.fleet.register(actor, body);
  }

  @Post(':id/retire')
  @HttpCode(200)
  @Roles('admin')
  retire(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string, @Body() body: RetireBikeRequestDto) {
    return this.fleet.retire(actor, id, body.reason);
  }

  @Post(':id/damage')
  @HttpCode(200)
  @Roles('admin', 'operator')
  @ApiOperation({ summary: 'Report damage: the bike stays in the rack, in maintenance' })
  @IdempotencyKeyHeader()
  async reportDamage(
    @CurrentActor() actor: Actor,
    @Param('id', UuidPipe) id: string,
    @Body() body: ReportDamageRequestDto,
    @Headers(IDEMPOTENCY_HEADER) key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    return sendIdempotent(res, await this.fleet.reportDamage(actor, id, body, idempotencyKey(key)));
  }

  @Post(':id/repair')
  @HttpCode(200)
  @Roles('admin', 'operator')
  @ApiOperation({ summary: 'Back to service after repair' })
  repair(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string, @Body() body: RepairBikeRequestDto) {
    return this.fleet.returnToService(actor, id, body);
  }

  @Post(':id/missing')
  @HttpCode(200)
  @Roles('admin', 'operator')
  @ApiOperation({ summary: 'Report missing or stolen, with the police report number' })
  reportMissing(
    @CurrentActor() actor: Actor,
    @Param('id', UuidPipe) id: string,
    @Body() body: ReportMissingRequestDto,
  ) {
    return this.fleet.reportMissing(actor, id, body);
  }

  @Post(':id/found')
  @HttpCode(200)
  @Roles('admin', 'operator')
  @ApiOperation({ summary: 'A missing bike turned up: in maintenance at that station' })
  markFound(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string, @Body() body: MarkFoundRequestDto) {
    return this.fleet.markFound(actor, id, body);
  }
}
