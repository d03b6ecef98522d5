export * from './trip-fact.entity';
export * from './station-sample.entity';
export * from './trip-metrics';
export * from './date-range';
export * from './trip-facts';
export * from './stats.types';
export * from './stats.service';
export * from './stats.module';
