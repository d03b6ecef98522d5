import { Module } from '@nestjs/common';
import { RiderPrivacyService } from './rider-privacy.service';
import { RiderService } from './rider.service';

/** Rider registration, verification, staff look-ups and Ley 1581 rights; needs the global config, clock and database. */
@Module({ providers: [RiderService, RiderPrivacyService], exports: [RiderService, RiderPrivacyService] })
export class RidersModule {}
