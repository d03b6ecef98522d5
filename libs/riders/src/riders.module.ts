import { Module } from '@nestjs/common';
import { RiderService } from './rider.service';

/** Rider registration, verification and staff look-ups; needs the global config, clock and database. */
@Module({ providers: [RiderService], exports: [RiderService] })
export class RidersModule {}
