import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Actor } from '@metrobici/common';
import { RebalancingService } from '@metrobici/fleet';
import { CurrentActor, Roles } from '../auth/auth.decorators';
import { IDEMPOTENCY_HEADER, IdempotencyKeyHeader, idempotencyKey, sendIdempotent } from '../common/idempotency-key';
import { UuidPipe } from '../common/uuid.pipe';
import { DropRequestDto, ListMovesQueryDto, PickUpRequestDto } from './fleet.dto';

@ApiTags('fleet')
@ApiBearerAuth()
@Controller('api/v1/rebalancing')
export class RebalancingController {
  constructor(private readonly rebalancing: RebalancingService) {}

  @Get()
  @Roles('admin', 'operator', 'planner')
  list(@CurrentActor() actor: Actor, @Query() query: ListMovesQueryDto) {
    return this.rebalancing.list(actor, query);
  }

  @Post()
  @Roles('admin', 'operator')
  @ApiOperation({ summary: 'Pick a bike up from a station or depot: it is in transit' })
  @IdempotencyKeyHeader()
  async pickUp(
    @CurrentActor() actor: Actor,
    @Body() body: PickUpRequestDto,
    @Headers(IDEMPOTENCY_HEADER) key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    return sendIdempotent(res, await this.rebalancing.pickUp(actor, body, idempotencyKey(key)));
  }

  @Post(':id/drop')
  @HttpCode(200)
  @Roles('admin', 'operator')
  @ApiOperation({ summary: 'Drop a bike in transit at a station or depot' })
  @IdempotencyKeyHeader()
  async drop(
    @CurrentActor() actor: Actor,
    @Param('id', UuidPipe) id: string,
    @Body() body: DropRequestDto,
    @Headers(IDEMPOTENCY_HEADER) key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    return sendIdempotent(res, await this.rebalancing.drop(actor, id, body, idempotencyKey(key)));
  }
}
