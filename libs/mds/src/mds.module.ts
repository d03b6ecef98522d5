import { Module } from '@nestjs/common';
import { StationsModule } from '@metrobici/stations';
import { MdsService } from './mds.service';

@Module({ imports: [StationsModule], providers: [MdsService], exports: [MdsService] })
export class MdsModule {}
