import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { IsBoolean, IsEmail, IsIn, IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import type { Actor, StaffRole } from '@metrobici/common';
import { StaffService } from '@metrobici/staff';
import { CurrentActor, Roles } from '../auth/auth.decorators';
import { UuidPipe } from '../common/uuid.pipe';

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

  @IsIn(['admin', 'operator', 'planner'])
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
  constructor(private readonly staff: StaffService) {}

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
}
