import { Module } from '@nestjs/common';

/** HTTP surface of the loans feature. */
@Module({ imports: [], controllers: [] })
export class LoansApiModule {}
