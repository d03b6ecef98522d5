import { Module } from '@nestjs/common';
import { GbfsModule } from '@metrobici/gbfs';
import { GbfsController } from './gbfs.controller';

/** Public GBFS v3.0 feed for journey planners. */
@Module({ imports: [GbfsModule], controllers: [GbfsController] })
export class GbfsApiModule {}
