export * from './rider.entity';
