import { Env } from '../../config/env.schema';
import { startEmbeddedPostgres } from './embedded-postgres';

export interface ResolvedDatabase {
  /** The environment with DATABASE_URL naming the server to use. */
  env: Env;
  /** For the startup banner: which Postgres, without its password. */
  description: string;
}

/** The database of the embedded server (the name a real one usually has too). */
const EMBEDDED_DATABASE = 'ledger';

/**
 * DATABASE_URL set: used as it is. Unset: the embedded Postgres of EMBEDDED_PG_DATA_DIR is
 * started (or reused while another process of this checkout runs it). `log` receives the
 * server's own output lines (the app logs them at debug).
 */
export async function resolveDatabase(env: Env, log: (line: string) => void): Promise<ResolvedDatabase> {
  if (env.DATABASE_URL) {
    return { env, description: `Postgres at ${describeUrl(env.DATABASE_URL)} (DATABASE_URL)` };
  }
  const embedded = await startEmbeddedPostgres({ dataDir: env.EMBEDDED_PG_DATA_DIR, database: EMBEDDED_DATABASE, log });
  return {
    env: { ...env, DATABASE_URL: embedded.url },
    description:
      `embedded Postgres on 127.0.0.1:${embedded.port}, data in ${env.EMBEDDED_PG_DATA_DIR}` +
      `${embedded.started ? '' : ' (already running, reused)'}; set DATABASE_URL=postgres://user:password@host:5432/ledger to use your own`,
  };
}

/** host:port/database of a connection URL (never its user or password). */
export function describeUrl(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || '5432'}${u.pathname}`;
}
