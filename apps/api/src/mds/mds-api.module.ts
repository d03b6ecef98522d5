import { Module } from '@nestjs/common';
import { MdsModule } from '@metrobici/mds';
import { MdsController } from './mds.controller';

/** MDS 2.0 Provider API under /mds, for the supervising agencies' read-only accounts. */
@Module({ imports: [MdsModule], controllers: [MdsController] })
export class MdsApiModule {}
