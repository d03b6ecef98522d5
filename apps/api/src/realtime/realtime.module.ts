import { Module } from '@nestjs/common';
import { StationsModule } from '@metrobici/stations';
import { AuthModule } from '../auth/auth.module';
import { AvailabilityGateway } from './availability.gateway';
import { OperationsGateway } from './operations.gateway';

@Module({ imports: [StationsModule, AuthModule], providers: [AvailabilityGateway, OperationsGateway] })
export class RealtimeModule {}
