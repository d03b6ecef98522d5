import { Module } from '@nestjs/common';
import { FleetService } from './fleet.service';
import { RebalancingService } from './rebalancing.service';

/** Fleet use cases; needs the app's DataSource and the global `Clock`. */
@Module({ providers: [FleetService, RebalancingService], exports: [FleetService, RebalancingService] })
export class FleetModule {}
