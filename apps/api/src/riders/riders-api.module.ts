import { Module } from '@nestjs/common';
import { RidersModule } from '@metrobici/riders';
import { RidersController } from './riders.controller';

/** HTTP surface of the riders feature. */
@Module({ imports: [RidersModule], controllers: [RidersController] })
export class RidersApiModule {}
