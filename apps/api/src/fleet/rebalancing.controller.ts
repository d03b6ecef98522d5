import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Actor } from '@metrobici/common';
import { RebalancingService } from '@metrobici/fleet';
import { CurrentActor, Roles } from '../auth/auth.decorators';
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
  pickUp(@CurrentActor() actor: Actor, @Body() body: PickUpRequestDto) {
    return this.rebalancing.pickUp(actor, body);
  }

  @Post(':id/drop')
  @HttpCode(200)
  @Roles('admin', 'operator')
  @ApiOperation({ summary: 'Drop a bike in transit at a station or depot' })
  drop(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string, @Body() body: DropRequestDto) {
    return this.rebalancing.drop(actor, id, body);
  }
}
