import { DynamicModule, Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../../config/app-config';
import { dataSourceOptions, EntityList } from './data-source-options';
import { ensureDatabase } from './ensure-database';

/**
 * Postgres through TypeORM (with the pg pool underneath); migrations run at boot unless
 * disabled, after creating the database if the server has none of that name.
 */
@Global()
@Module({})
export class DatabaseModule {
  /** `entities`: every entity of the app, given by the app module (the modules own them). */
  static forRoot(entities: EntityList): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [AppConfig],
          useFactory: async (config: AppConfig) => {
            // With migrations at boot the service owns its schema: create the database if missing.
            if (config.get('DB_RUN_MIGRATIONS')) await ensureDatabase(config.get('DATABASE_URL'));
            return {
              ...dataSourceOptions(
                {
                  DATABASE_URL: config.get('DATABASE_URL'),
                  DB_POOL_SIZE: config.get('DB_POOL_SIZE'),
                  DB_STATEMENT_TIMEOUT_MS: config.get('DB_STATEMENT_TIMEOUT_MS'),
                },
                entities,
              ),
              migrationsRun: config.get('DB_RUN_MIGRATIONS'),
              retryAttempts: 3,
              retryDelay: 1000,
            };
          },
        }),
      ],
    };
  }
}
