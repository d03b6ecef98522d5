export * from './donor.entity';
export * from './bike.entity';
export * from './bike-event.entity';
export * from './rebalancing-move.entity';
export * from './fleet.service';
export * from './rebalancing.service';
export * from './fleet.module';
