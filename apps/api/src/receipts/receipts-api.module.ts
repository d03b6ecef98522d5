import { Module } from '@nestjs/common';
import { LoansModule } from '@metrobici/loans';
import { ReceiptsController } from './receipts.controller';

/** The public receipt page's API (issue 12). */
@Module({ imports: [LoansModule], controllers: [ReceiptsController] })
export class ReceiptsApiModule {}
