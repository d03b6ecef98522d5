import { Module } from '@nestjs/common';
import { StationsModule } from '@metrobici/stations';
import { LoanService } from './loan.service';

@Module({ imports: [StationsModule], providers: [LoanService], exports: [LoanService] })
export class LoansModule {}
