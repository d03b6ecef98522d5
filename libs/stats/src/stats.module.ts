import { Module } from '@nestjs/common';
import { StationsModule } from '@metrobici/stations';
import { StatsService } from './stats.service';

/** Trip statistics; needs the app's DataSource, `APP_CONFIG` and the global `Clock`. */
@Module({ imports: [StationsModule], providers: [StatsService], exports: [StatsService] })
export class StatsModule {}
