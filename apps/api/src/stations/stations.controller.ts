import { Body, Controller, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Actor } from '@metrobici/common';
import { StationService } from '@metrobici/stations';
import { CurrentActor, Public, Roles } from '../auth/auth.decorators';
import { UuidPipe } from '../common/uuid.pipe';
import { CreateStationRequestDto, UpdateStationRequestDto } from './station.dto';

@ApiTags('stations')
@Controller('api/v1/stations')
export class StationsController {
  constructor(private readonly stations: StationService) {}

  @Public()
  @Get()
  @ApiOperation({ summary: 'Public stations with live bikes, free spaces, helmets and open state' })
  list() {
    return this.stations.listPublic();
  }

  @Get('all')
  @Roles('admin', 'operator', 'planner')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Stations and depots, for staff' })
  listAll() {
    return this.stations.listAll();
  }

  @Public()
  @Get(':id')
  get(@Param('id', UuidPipe) id: string) {
    return this.stations.getPublic(id);
  }

  @Post()
  @Roles('admin')
  @ApiBearerAuth()
  create(@CurrentActor() actor: Actor, @Body() body: CreateStationRequestDto) {
    return this.stations.create(actor, body);
  }

  @Patch(':id')
  @Roles('admin')
  @ApiBearerAuth()
  update(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string, @Body() body: UpdateStationRequestDto) {
    return this.stations.update(actor, id, body);
  }

  @Post(':id/close')
  @HttpCode(200)
  @Roles('admin')
  @ApiBearerAuth()
  close(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string) {
    return this.stations.setActive(actor, id, false);
  }

  @Post(':id/open')
  @HttpCode(200)
  @Roles('admin')
  @ApiBearerAuth()
  open(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string) {
    return this.stations.setActive(actor, id, true);
  }
}
