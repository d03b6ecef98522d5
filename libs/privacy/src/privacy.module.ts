import { Module } from '@nestjs/common';
import { RidersModule } from '@metrobici/riders';
import { PrivacyService } from './privacy.service';

/** Anonymisation of riders (on request and by retention); needs the global config, clock and database. */
@Module({ imports: [RidersModule], providers: [PrivacyService], exports: [PrivacyService] })
export class PrivacyModule {}
