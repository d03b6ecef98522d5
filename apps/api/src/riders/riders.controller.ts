import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Actor } from '@metrobici/common';
import { RiderService } from '@metrobici/riders';
import { CurrentActor, Public, Roles } from '../auth/auth.decorators';
import { UuidPipe } from '../common/uuid.pipe';
import {
  ListRidersQueryDto,
  RegisterRiderRequestDto,
  SuspendRiderRequestDto,
  VerifyRiderRequestDto,
} from './rider.dto';

@ApiTags('riders')
@Controller('api/v1/riders')
export class RidersController {
  constructor(private readonly riders: RiderService) {}

  @Public()
  @Post()
  @ApiOperation({ summary: 'Self-registration; answers only the id and status, never personal data' })
  register(@Body() body: RegisterRiderRequestDto) {
    return this.riders.register(body);
  }

  @Get()
  @Roles('operator', 'admin')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Riders for staff, filtered by document or status' })
  list(@CurrentActor() actor: Actor, @Query() query: ListRidersQueryDto) {
    return this.riders.list(actor, query);
  }

  @Get(':id')
  @Roles('operator', 'admin')
  @ApiBearerAuth()
  get(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string) {
    return this.riders.get(actor, id);
  }

  @Post(':id/verify')
  @HttpCode(200)
  @Roles('operator', 'admin')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'The operator has seen the identity document at a station' })
  verify(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string, @Body() body: VerifyRiderRequestDto) {
    return this.riders.verify(actor, id, body);
  }

  @Post(':id/suspend')
  @HttpCode(200)
  @Roles('admin')
  @ApiBearerAuth()
  suspend(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string, @Body() body: SuspendRiderRequestDto) {
    return this.riders.suspend(actor, id, body.reason);
  }

  @Post(':id/reactivate')
  @HttpCode(200)
  @Roles('admin')
  @ApiBearerAuth()
  reactivate(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string) {
    return this.riders.reactivate(actor, id);
  }
}
