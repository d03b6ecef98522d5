import { Module } from '@nestjs/common';
import { LoansModule } from '@metrobici/loans';
import { LoansController } from './loans.controller';

/** HTTP surface of loans: check-out, return, renewal, corrections, lists. */
@Module({ imports: [LoansModule], controllers: [LoansController] })
export class LoansApiModule {}
