import { ONBOARDING_ENTITIES } from './modules/onboarding/entities';

/**
 * Every TypeORM entity of the service. The database layer does not know the modules: whoever
 * composes the app passes this list in (AppModule, the migration CLI's src/data-source.ts, the
 * test setup).
 */
export const APP_ENTITIES = [...ONBOARDING_ENTITIES];
