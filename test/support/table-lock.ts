import { Client } from 'pg';
import { TEST_DATABASE_URL } from './test-env';

/**
 * Runs `fn` while another session holds `table` in ACCESS EXCLUSIVE mode: every statement that
 * touches the table waits, so a timeout (the app's statement or request timeout, a check's
 * statement timeout) fires whatever the machine's speed.
 */
export async function withTableLocked<T>(table: string, fn: () => Promise<T>): Promise<T> {
  const locker = new Client({ connectionString: TEST_DATABASE_URL });
  await locker.connect();
  try {
    await locker.query('BEGIN');
    await locker.query(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
    return await fn();
  } finally {
    await locker.query('ROLLBACK').catch(() => undefined);
    await locker.end();
  }
}
