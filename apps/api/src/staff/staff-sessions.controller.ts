import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';
import type { Actor } from '@metrobici/common';
import { StaffSessionService } from '@metrobici/staff';
import { CurrentActor, Roles } from '../auth/auth.decorators';
import { UuidPipe } from '../common/uuid.pipe';

export class ListSessionsQueryDto {
  /** One account's sessions (all states); without it, every active session */
  @IsOptional()
  @IsUUID()
  staffId?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}

@ApiTags('staff')
@ApiBearerAuth()
@Roles('admin')
@Controller('api/v1/staff/sessions')
export class StaffSessionsController {
  constructor(private readonly sessions: StaffSessionService) {}

  @Get()
  @ApiOperation({ summary: 'Staff sessions: of one account (staffId), or every active one' })
  list(@Query() query: ListSessionsQueryDto) {
    return this.sessions.list(query);
  }

  @Post(':id/revoke')
  @HttpCode(200)
  @ApiOperation({ summary: 'Ends a session: its tokens and sockets stop within seconds' })
  revoke(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string) {
    return this.sessions.revoke(actor, id);
  }
}
