import { Module } from '@nestjs/common';

/** HTTP surface of the fleet feature. */
@Module({ imports: [], controllers: [] })
export class FleetApiModule {}
