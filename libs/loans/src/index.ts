export * from './loan.entity';
export * from './idempotency-record.entity';
