export * from './station.entity';
