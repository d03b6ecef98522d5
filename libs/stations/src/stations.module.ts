import { Module } from '@nestjs/common';
import { ServiceHours } from './service-hours';
import { StationService } from './station.service';

@Module({ providers: [StationService, ServiceHours], exports: [StationService, ServiceHours] })
export class StationsModule {}
