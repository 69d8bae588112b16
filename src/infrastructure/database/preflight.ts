import { Client } from 'pg';
import { ensureDatabase } from './ensure-database';
import { describeUrl } from './resolve-database';

/** A startup failure the operator can act on: its message is the one line printed. */
export class StartupError extends Error {}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET']);

/**
 * Before the app is built: the database answers, accepts the credentials, exists (created
 * when migrations run at boot, as before) and lets this user create tables when it must
 * migrate. Each failure becomes one StartupError saying what failed and what to do.
 */
export async function checkDatabase(url: string, runMigrations: boolean): Promise<void> {
  const where = describeUrl(url);
  try {
    if (runMigrations) await ensureDatabase(url);
    const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
    client.on('error', () => undefined);
    await client.connect();
    try {
      if (!runMigrations) return;
      const { rows } = await client.query<{ user: string; can_create: boolean }>(
        `SELECT current_user AS user, has_schema_privilege(current_user, 'public', 'CREATE') AS can_create`,
      );
      if (!rows[0].can_create) {
        throw new StartupError(
          `Postgres user "${rows[0].user}" may not create tables in schema public at ${where}: ` +
            `GRANT CREATE ON SCHEMA public TO "${rows[0].user}" (or connect as the database owner), or migrate as another user and set DB_RUN_MIGRATIONS=false`,
        );
      }
    } finally {
      await client.end().catch(() => undefined);
    }
  } catch (err) {
    throw err instanceof StartupError ? err : databaseStartupError(err as Error & { code?: string }, url);
  }
}

/** One line for a failed connection or statement against the configured database. */
export function databaseStartupError(err: Error & { code?: string }, url: string): StartupError {
  const where = describeUrl(url);
  const user = decodeURIComponent(new URL(url).username) || 'postgres';
  const code = err.code ?? '';
  if (UNREACHABLE.has(code) || /timeout|terminated unexpectedly/i.test(err.message)) {
    return new StartupError(
      `cannot reach Postgres at ${where} (${code || err.message}): start it, correct DATABASE_URL, or unset DATABASE_URL to use the embedded Postgres`,
    );
  }
  if (code === '28P01' || code === '28000' || /password|SCRAM/i.test(err.message)) {
    return new StartupError(`Postgres at ${where} refused user "${user}" (${err.message}): correct the user and password in DATABASE_URL`);
  }
  if (code === '3D000') {
    return new StartupError(`database missing at ${where} (${err.message}): create it, or set DB_RUN_MIGRATIONS=true to let the service create it`);
  }
  if (code === '42501') {
    return new StartupError(
      `Postgres user "${user}" lacks a privilege at ${where} (${err.message}): grant it (CREATEDB to create the database, CREATE on schema public to migrate), or use the database owner`,
    );
  }
  return new StartupError(`Postgres at ${where} failed at startup: ${err.message}`);
}
