import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { APP_CONFIG, type AppConfig } from '@metrobici/config';
import { dataSourceOptions, type EntityList, poolLimitOptions } from './data-source';

/**
 * The TypeORM connection for an app, from the validated config. The app passes the entity list
 * (`apps/entities.ts`), so this lib imports no domain lib. Migrations run by `db:migrate`.
 */
@Module({})
export class DatabaseModule {
  static forRoot(entities: EntityList): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig) =>
            dataSourceOptions(config.database.url, {
              entities,
              extra: { max: 20, application_name: 'metrobici', ...poolLimitOptions(config.database) },
            }),
        }),
      ],
    };
  }
}
