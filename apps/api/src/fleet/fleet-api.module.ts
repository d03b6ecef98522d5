import { Module } from '@nestjs/common';
import { FleetModule } from '@metrobici/fleet';
import { BikesController } from './bikes.controller';
import { DonorsController } from './donors.controller';
import { RebalancingController } from './rebalancing.controller';

/** HTTP surface of the fleet feature. */
@Module({ imports: [FleetModule], controllers: [BikesController, RebalancingController, DonorsController] })
export class FleetApiModule {}
