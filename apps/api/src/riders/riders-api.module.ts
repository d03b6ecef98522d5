import { Module } from '@nestjs/common';
import { PrivacyModule } from '@metrobici/privacy';
import { RidersModule } from '@metrobici/riders';
import { AuditController } from './audit.controller';
import { RidersController } from './riders.controller';

/** HTTP surface of the riders feature: registration, staff views, Ley 1581 rights and their audit. */
@Module({ imports: [RidersModule, PrivacyModule], controllers: [RidersController, AuditController] })
export class RidersApiModule {}
