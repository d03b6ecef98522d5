import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { IsBoolean, IsEmail, IsIn, IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import type { Actor, StaffRole } from '@metrobici/common';
import { StaffService } from '@metrobici/staff';
import { CurrentActor, Roles } from '../auth/auth.decorators';
import { LoginThrottle } from '../auth/login-throttle';
import { UuidPipe } from '../common/uuid.pipe';

export class SetPasswordRequestDto {
  /** At least 10 characters; the account's existing tokens stop working */
  @IsString()
  @MinLength(10)
  @MaxLength(200)
  password: string;
}

export class CreateStaffRequestDto {
  @IsEmail({ require_tld: false })
  @MaxLength(254)
  email: string;

  @IsString()
  @MinLength(10)
  @MaxLength(200)
  password: string;

  @IsOptional()
  @IsString()
  @MaxLength(120)
  fullName?: string;

  /** `agency`: a supervising agency's read-only account for the MDS Provider API (/mds) only. */
  @IsIn(['admin', 'operator', 'planner', 'agency'])
  role: StaffRole;

  @IsOptional()
  @IsUUID()
  homeStationId?: string;

  @IsOptional()
  @IsBoolean()
  allStations?: boolean;
}

@ApiTags('staff')
@ApiBearerAuth()
@Roles('admin')
@Controller('api/v1/staff')
export class StaffController {
  constructor(
    private readonly staff: StaffService,
    private readonly throttle: LoginThrottle,
  ) {}

  @Get()
  list() {
    return this.staff.list();
  }

  @Post()
  create(@CurrentActor() actor: Actor, @Body() body: CreateStaffRequestDto) {
    return this.staff.create(actor, body);
  }

  @Post(':id/deactivate')
  @HttpCode(200)
  deactivate(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string) {
    return this.staff.setActive(actor, id, false);
  }

  @Post(':id/activate')
  @HttpCode(200)
  activate(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string) {
    return this.staff.setActive(actor, id, true);
  }

  @Post(':id/password')
  @HttpCode(200)
  @ApiOperation({ summary: 'Set a new password; the account’s existing tokens and sockets stop working' })
  setPassword(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string, @Body() body: SetPasswordRequestDto) {
    return this.staff.setPassword(actor, id, body.password);
  }

  @Post(':id/unlock')
  @HttpCode(200)
  @ApiOperation({ summary: 'Lift a login lock-out (too many failed passwords for the account)' })
  async unlock(@Param('id', UuidPipe) id: string) {
    await this.throttle.unlock(await this.staff.emailOf(id));
    return { id, locked: false };
  }
}
