import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { APP_CONFIG, type AppConfig } from '@metrobici/config';
import { dataSourceOptions } from './data-source';

/** The TypeORM connection for an app, from the validated config. Migrations run by `db:migrate`. */
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => dataSourceOptions(config.database.url),
    }),
  ],
})
export class DatabaseModule {}
