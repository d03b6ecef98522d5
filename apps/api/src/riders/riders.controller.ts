import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Actor } from '@metrobici/common';
import { PrivacyService } from '@metrobici/privacy';
import { RiderPrivacyService, RiderService } from '@metrobici/riders';
import { CurrentActor, Public, Roles } from '../auth/auth.decorators';
import { UuidPipe } from '../common/uuid.pipe';
import {
  AnonymiseRiderRequestDto,
  ChangeConsentsRequestDto,
  ListRidersQueryDto,
  RectifyRiderRequestDto,
  RegisterRiderRequestDto,
  SuspendRiderRequestDto,
  VerifyRiderRequestDto,
} from './rider.dto';

@ApiTags('riders')
@Controller('api/v1/riders')
export class RidersController {
  constructor(
    private readonly riders: RiderService,
    private readonly rights: RiderPrivacyService,
    private readonly privacy: PrivacyService,
  ) {}

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

  @Patch(':id')
  @Roles('operator', 'admin')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Rectify profile fields on the rider’s request (logged: who, why, which fields)' })
  rectify(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string, @Body() body: RectifyRiderRequestDto) {
    return this.rights.rectify(actor, id, body);
  }

  @Get(':id/personal-data')
  @Roles('operator', 'admin')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Everything held about the rider, to hand to them (Ley 1581: know); logged' })
  personalData(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string) {
    return this.rights.personalData(actor, id);
  }

  @Get(':id/consents')
  @Roles('operator', 'admin')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Current purposes and the append-only consent history' })
  consents(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string) {
    return this.rights.consents(actor, id);
  }

  @Post(':id/consents')
  @HttpCode(200)
  @Roles('operator', 'admin')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Record the purposes the rider authorises from now on (on their request)' })
  changeConsents(
    @CurrentActor() actor: Actor,
    @Param('id', UuidPipe) id: string,
    @Body() body: ChangeConsentsRequestDto,
  ) {
    return this.rights.changeConsents(actor, id, body);
  }

  @Post(':id/anonymise')
  @HttpCode(200)
  @Roles('admin')
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'Remove every direct identifier for good; trips stay in the statistics (409 with a bike out)',
  })
  anonymise(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string, @Body() body: AnonymiseRiderRequestDto) {
    return this.privacy.anonymise(actor, id, body.reason);
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
