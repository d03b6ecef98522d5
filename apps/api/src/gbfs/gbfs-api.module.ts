import { Module } from '@nestjs/common';
import { GbfsModule } from '@metrobici/gbfs';
import { GbfsController } from './gbfs.controller';
import { GbfsV2Controller } from './gbfs-v2.controller';

/** Public GBFS feeds for journey planners: v3.0 under /gbfs, v2.3 under /gbfs/v2.3. */
@Module({ imports: [GbfsModule], controllers: [GbfsV2Controller, GbfsController] })
export class GbfsApiModule {}
