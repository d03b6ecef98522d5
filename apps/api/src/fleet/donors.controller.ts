import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Actor } from '@metrobici/common';
import { FleetService } from '@metrobici/fleet';
import { CurrentActor, Roles } from '../auth/auth.decorators';

@ApiTags('fleet')
@ApiBearerAuth()
@Controller('api/v1/donors')
export class DonorsController {
  constructor(private readonly fleet: FleetService) {}

  @Get()
  @Roles('admin', 'operator', 'planner')
  @ApiOperation({ summary: 'Donors with their bikes counted by state' })
  list(@CurrentActor() actor: Actor) {
    return this.fleet.listDonors(actor);
  }
}
