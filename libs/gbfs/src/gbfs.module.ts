import { Module } from '@nestjs/common';
import { StationsModule } from '@metrobici/stations';
import { GbfsService } from './gbfs.service';

@Module({ imports: [StationsModule], providers: [GbfsService], exports: [GbfsService] })
export class GbfsModule {}
