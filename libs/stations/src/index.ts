export * from './station.entity';
export * from './pilot-state.entity';
export * from './pilot-event.entity';
export * from './station.service';
export * from './service-hours';
export * from './station-inventory';
export * from './stations.module';
