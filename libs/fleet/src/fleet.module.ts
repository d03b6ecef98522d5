import { Module } from '@nestjs/common';
import { IdempotencyModule } from '@metrobici/idempotency';
import { FleetService } from './fleet.service';
import { RebalancingService } from './rebalancing.service';

/** Fleet use cases; needs the app's DataSource and the global `Clock`. */
@Module({
  imports: [IdempotencyModule],
  providers: [FleetService, RebalancingService],
  exports: [FleetService, RebalancingService],
})
export class FleetModule {}
