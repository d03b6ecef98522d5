import { Module } from '@nestjs/common';
import { IdempotencyModule } from '@metrobici/idempotency';
import { StationsModule } from '@metrobici/stations';
import { ReceiptService } from './loan-receipts';
import { LoanService } from './loan.service';

@Module({
  imports: [StationsModule, IdempotencyModule],
  providers: [LoanService, ReceiptService],
  exports: [LoanService, ReceiptService],
})
export class LoansModule {}
