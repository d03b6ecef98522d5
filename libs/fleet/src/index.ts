export * from './donor.entity';
export * from './bike.entity';
export * from './bike-event.entity';
export * from './rebalancing-move.entity';
