import { Logger } from '@nestjs/common';
import { Client } from 'pg';

const DATABASE_DOES_NOT_EXIST = '3D000';
const DUPLICATE_DATABASE = '42P04';

/**
 * Creates the database named in `url` when the server says it does not exist, so
 * `npm start` works on a fresh server. Any other connection problem is left to TypeORM,
 * which retries and reports it.
 */
export async function ensureDatabase(url: string): Promise<void> {
  const probe = new Client({ connectionString: url });
  try {
    await probe.connect();
    return;
  } catch (err) {
    if ((err as { code?: string }).code !== DATABASE_DOES_NOT_EXIST) return;
  } finally {
    await probe.end().catch(() => undefined);
  }
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
    new Logger('Database').log(`Created database ${name}`);
  } catch (err) {
    if ((err as { code?: string }).code !== DUPLICATE_DATABASE) throw err;
  } finally {
    await client.end();
  }
}
