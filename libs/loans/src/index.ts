export * from './loan.entity';
export * from './idempotency-record.entity';
export * from './idempotency';
export * from './loan.service';
export * from './loans.module';
