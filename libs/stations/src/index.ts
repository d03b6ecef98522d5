export * from './station.entity';
export * from './station.service';
export * from './service-hours';
export * from './station-inventory';
export * from './stations.module';
