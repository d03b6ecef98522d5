export * from './rider.entity';
export * from './rider-rules';
export * from './rider.service';
export * from './riders.module';
