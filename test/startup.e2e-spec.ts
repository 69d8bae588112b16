import { ChildProcess, spawn } from 'child_process';
import { existsSync } from 'fs';
import { chmod, mkdtemp, rm } from 'fs/promises';
import { createServer, Server } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import { Client } from 'pg';
import { Api } from './support/api';
import { newAccount, newLedger } from './support/factories';
import { balanceOf, fund } from './support/postings';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from './support/test-env';

/**
 * `npm start` as a newcomer meets it (issue 16): a startup failure is one line saying what
 * failed and what to do, with no stack trace; without DATABASE_URL an embedded Postgres is
 * started, served and stopped with the app. Runs src/main.ts through ts-node.
 */
jest.setTimeout(120_000);

interface Started {
  proc: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function start(env: Record<string, string | undefined>): Started {
  const base: Record<string, string | undefined> = { ...process.env };
  for (const k of ['DATABASE_URL', 'REDIS_URL', 'PORT', 'NODE_ENV', 'LOG_LEVEL', 'EMBEDDED_PG_DATA_DIR']) delete base[k];
  const proc = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/main.ts'], {
    cwd: join(__dirname, '..'),
    env: { ...base, HOST: '127.0.0.1', AUTH_DISABLED: 'true', ...env } as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return { proc, output: () => out, exited };
}

/** Runs main.ts to its exit; answers its exit code and its non-empty output lines. */
async function failedStart(env: Record<string, string | undefined>): Promise<{ code: number | null; lines: string[] }> {
  const s = start({ NODE_ENV: 'production', ...env });
  const code = await s.exited;
  return { code, lines: s.output().split('\n').filter((l) => l.trim() !== '') };
}

/** The one fatal line of a JSON log, checked to be alone among the error-level lines and stack-free. */
function fatalLine(lines: string[]): string {
  const entries = lines.map((l) => JSON.parse(l)); // every line is JSON: no plain text among them
  const errors = entries.filter((e) => e.level >= 50);
  expect(errors).toHaveLength(1);
  expect(errors[0].level).toBe(60);
  expect(lines.join('\n')).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/);
  expect(JSON.stringify(errors[0])).not.toMatch(/stack/);
  return errors[0].msg as string;
}

function unusedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

const db = new URL(TEST_DATABASE_URL);
const withUser = (user: string, database = db.pathname.slice(1)) => {
  const u = new URL(TEST_DATABASE_URL);
  u.username = user;
  u.password = '';
  u.pathname = `/${database}`;
  return u.toString();
};

describe('a failed start prints one line saying what failed and what to do', () => {
  it('database unreachable', async () => {
    const port = await unusedPort();
    const { code, lines } = await failedStart({ DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/ledger`, REDIS_URL: TEST_REDIS_URL });
    expect(code).toBe(1);
    expect(fatalLine(lines)).toBe(
      `cannot reach Postgres at 127.0.0.1:${port}/ledger (ECONNREFUSED): start it, correct DATABASE_URL, or unset DATABASE_URL to use the embedded Postgres`,
    );
  });

  it('wrong credentials', async () => {
    const { code, lines } = await failedStart({ DATABASE_URL: withUser('no_such_user_16'), REDIS_URL: TEST_REDIS_URL });
    expect(code).toBe(1);
    expect(fatalLine(lines)).toMatch(/^Postgres at .* refused user "no_such_user_16" \(.*\): correct the user and password in DATABASE_URL$/);
  });

  it('missing privilege (a user that may not create the database)', async () => {
    const role = `ledger_noprivs_${process.pid}`;
    const admin = new Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    await admin.query(`DROP ROLE IF EXISTS ${role}`);
    await admin.query(`CREATE ROLE ${role} LOGIN NOCREATEDB`);
    try {
      const { code, lines } = await failedStart({ DATABASE_URL: withUser(role, `ledger_never_${process.pid}`), REDIS_URL: TEST_REDIS_URL });
      expect(code).toBe(1);
      expect(fatalLine(lines)).toMatch(new RegExp(`^Postgres user "${role}" lacks a privilege at .*: grant it \\(CREATEDB to create the database`));
    } finally {
      await admin.query(`DROP ROLE IF EXISTS ${role}`);
      await admin.end();
    }
  });

  it('port in use', async () => {
    const busy: Server = await new Promise((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => resolve(s));
    });
    const port = (busy.address() as { port: number }).port;
    try {
      const { code, lines } = await failedStart({ DATABASE_URL: TEST_DATABASE_URL, DB_RUN_MIGRATIONS: 'false', REDIS_URL: TEST_REDIS_URL, PORT: String(port) });
      expect(code).toBe(1);
      expect(fatalLine(lines)).toBe(`port ${port} on 127.0.0.1 is in use: stop what listens there, or set PORT`);
    } finally {
      busy.close();
    }
  });

  it('in development the line is readable text, not JSON', async () => {
    const port = await unusedPort();
    const { code, lines } = await failedStart({ NODE_ENV: 'development', DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/ledger` });
    expect(code).toBe(1);
    const fatal = lines.filter((l) => /cannot reach Postgres/.test(l));
    expect(fatal).toHaveLength(1);
    expect(fatal[0]).toMatch(/FATAL/);
    expect(() => JSON.parse(fatal[0])).toThrow();
    expect(lines.join('\n')).not.toMatch(/\n\s+at /);
  });
});

describe('without DATABASE_URL', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ledger-embedded-'));
    await chmod(dir, 0o755); // run as root, the server runs as the postgres user
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('starts an embedded Postgres, serves /health, Swagger and a posting, and stops it on SIGTERM', async () => {
    const port = await unusedPort();
    const dataDir = join(dir, 'postgres');
    const s = start({ NODE_ENV: 'production', PORT: String(port), EMBEDDED_PG_DATA_DIR: dataDir, REDIS_URL: TEST_REDIS_URL });
    try {
      const until = Date.now() + 90_000;
      while (!/Ledger service on/.test(s.output()) && Date.now() < until && s.proc.exitCode === null) await new Promise((r) => setTimeout(r, 200));
      const lines = s.output().split('\n').filter((l) => l.trim() !== '');
      const msgs = lines.map((l) => JSON.parse(l).msg as string); // JSON only, embedded server's lines included
      expect(msgs).toContain(`Ledger service on http://127.0.0.1:${port} (Swagger UI at http://127.0.0.1:${port}/docs)`);
      expect(msgs.find((m) => m.startsWith('Database: '))).toMatch(
        new RegExp(`^Database: embedded Postgres on 127\\.0\\.0\\.1:\\d+, data in ${dataDir}; set DATABASE_URL=`),
      );
      expect(existsSync(join(dataDir, 'postmaster.pid'))).toBe(true);

      const url = `http://127.0.0.1:${port}`;
      expect((await fetch(`${url}/health`)).status).toBe(200);
      expect((await fetch(`${url}/docs-json`)).status).toBe(200);
      const ctx = await newLedger(new Api(url));
      await newAccount(ctx, '@a');
      expect((await fund(ctx, '@a', '10')).status).toMatchObject({ code: 'APPROVED' });
      expect((await balanceOf(ctx, '@a')).available).toBe('10');
    } finally {
      s.proc.kill('SIGTERM');
      expect(await s.exited).toBe(0);
    }
    // Stopped with the app: postgres removes its pid file on a clean shutdown.
    const until = Date.now() + 10_000;
    while (existsSync(join(dataDir, 'postmaster.pid')) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    expect(existsSync(join(dataDir, 'postmaster.pid'))).toBe(false);
  });
});
