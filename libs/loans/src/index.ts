export * from './loan.entity';
export * from './trip-definition';
export * from './loan.service';
export * from './loans.module';
export * from './synthetic-loans';
export * from './loan-privacy';
export * from './loan-receipt.entity';
export * from './loan-receipts';
