import { Module } from '@nestjs/common';

/** HTTP surface of the riders feature. */
@Module({ imports: [], controllers: [] })
export class RidersApiModule {}
