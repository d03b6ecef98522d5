import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Actor } from '@metrobici/common';
import { RiderPrivacyService } from '@metrobici/riders';
import { CurrentActor, Roles } from '../auth/auth.decorators';
import { PersonalDataAuditQueryDto } from './rider.dto';

@ApiTags('audit')
@ApiBearerAuth()
@Controller('api/v1/audit')
export class AuditController {
  constructor(private readonly rights: RiderPrivacyService) {}

  @Get('personal-data')
  @Roles('admin')
  @ApiOperation({
    summary: 'Who read whose personal data (and research packages approved or downloaded), newest first',
  })
  personalData(@CurrentActor() actor: Actor, @Query() query: PersonalDataAuditQueryDto) {
    return this.rights.audit(actor, {
      riderId: query.riderId,
      actorId: query.actorId,
      from: query.from ? new Date(query.from) : undefined,
      to: query.to ? new Date(query.to) : undefined,
      limit: query.limit,
    });
  }
}
