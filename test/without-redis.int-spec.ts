import { getQueueToken } from '@nestjs/bull';
import Redis from 'ioredis';
import { Client } from 'pg';
import { Writable } from 'stream';
import { createApp } from '../src/app.factory';
import { InProcessJobRunner } from '../src/infrastructure/jobs/in-process-job-runner';
import { JOB_LOCK_CLASS, JOB_LOCK_IDS, JobRunner, ScheduledJob } from '../src/infrastructure/jobs/job-runner';
import { createRootLogger } from '../src/infrastructure/logging/logger';
import { PENDING_EXPIRY_QUEUE } from '../src/modules/transaction/jobs/pending-expiry.constants';
import { Api } from './support/api';
import { startApp, TestApp } from './support/app';
import { newAccount, newLedger } from './support/factories';
import { eventually, getTransaction, hold } from './support/holds';
import { balanceOf, fund, sleep, transfer } from './support/postings';
import { TEST_DATABASE_URL, TEST_REDIS_URL, testEnv } from './support/test-env';

/**
 * DESIGN section 8, "without Redis": a process that finds no Redis at start serves postings
 * and reads from Postgres, keeps its balance cache off, and runs the scheduled jobs in-process
 * under a Postgres advisory lock, so a job never runs twice at once across instances.
 */
jest.setTimeout(60_000);

const NO_REDIS = { REDIS_URL: 'redis://127.0.0.1:1', AUTH_DISABLED: 'true', PENDING_EXPIRY_INTERVAL_MS: '300' };
const inMs = (ms: number) => new Date(Date.now() + ms).toISOString();

describe('an instance started with no Redis answering', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp(NO_REDIS);
  });
  afterAll(() => t.close());

  it('runs its jobs on the in-process runner, with no Bull queue at all', () => {
    expect(t.app.get(JobRunner).kind).toBe('in-process');
    expect(() => t.app.get(getQueueToken(PENDING_EXPIRY_QUEUE), { strict: false })).toThrow();
  });

  it('posts and reads balances from Postgres', async () => {
    const ctx = await newLedger(t.api);
    await newAccount(ctx, '@a');
    await newAccount(ctx, '@b');
    await fund(ctx, '@a', '100');
    await transfer(ctx, '@a', '@b', '40');
    expect((await balanceOf(ctx, '@a')).available).toBe('60');
    expect((await balanceOf(ctx, '@b')).available).toBe('40');
    const ready = await t.api.get('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.info.redis).toMatchObject({ status: 'up', degraded: true });
  });

  it('expires a hold through the in-process pending-expiry job', async () => {
    const ctx = await newLedger(t.api);
    await newAccount(ctx, '@a');
    await newAccount(ctx, '@b');
    await fund(ctx, '@a', '100');
    const tx = await hold(ctx, [['@a', '30']], [['@b', '30']], { expiresAt: inMs(300) });
    const stored = await eventually(() => getTransaction(ctx, tx.id), (x) => x.status.code !== 'PENDING', 10_000);
    expect(stored.status.code).toBe('CANCELED');
    expect(stored.metadata.cancelReason).toBe('expired');
  });

  it('skips the job while another instance holds its advisory lock, and runs it once the lock is free', async () => {
    const other = new Client({ connectionString: TEST_DATABASE_URL });
    await other.connect();
    try {
      await other.query('SELECT pg_advisory_lock($1::int, $2::int)', [JOB_LOCK_CLASS, JOB_LOCK_IDS.pendingExpiry]);
      const ctx = await newLedger(t.api);
      await newAccount(ctx, '@a');
      await newAccount(ctx, '@b');
      await fund(ctx, '@a', '100');
      const tx = await hold(ctx, [['@a', '30']], [['@b', '30']], { expiresAt: inMs(200) });
      await sleep(1500); // several ticks, all skipped
      expect((await getTransaction(ctx, tx.id)).status.code).toBe('PENDING');

      await other.query('SELECT pg_advisory_unlock($1::int, $2::int)', [JOB_LOCK_CLASS, JOB_LOCK_IDS.pendingExpiry]);
      const stored = await eventually(() => getTransaction(ctx, tx.id), (x) => x.status.code !== 'PENDING', 10_000);
      expect(stored.status.code).toBe('CANCELED');
    } finally {
      await other.end();
    }
  });
});

describe('two in-process runners on one database', () => {
  it('never run one job at the same time', async () => {
    const quiet = { ...NO_REDIS, PENDING_EXPIRY_INTERVAL_MS: '86400000', RECONCILIATION_INTERVAL_MS: '86400000' };
    const [a, b] = [await startApp(quiet), await startApp(quiet)];
    try {
      let running = 0;
      let maxRunning = 0;
      let runs = 0;
      const job: ScheduledJob = {
        queue: 'test-job',
        name: 'test-job',
        label: 'Test job',
        everyMs: 86_400_000,
        lockId: 99,
        run: async () => {
          runs++;
          maxRunning = Math.max(maxRunning, ++running);
          await sleep(300);
          running--;
        },
      };
      const runners = [a, b].map((x) => x.app.get(JobRunner) as InProcessJobRunner);
      // Each instance triggers twice at once: the second trigger of an instance joins its first.
      await Promise.all(runners.flatMap((r) => [r.trigger(job), r.trigger(job)]));
      expect(maxRunning).toBe(1);
      expect(runs).toBe(1);
      // Free again afterwards: the lock was released.
      await runners[1].trigger(job);
      expect(runs).toBe(2);
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe('Redis that answers only after the start', () => {
  it('keeps the balance cache off and says in the log that Redis is back', async () => {
    const lines: string[] = [];
    const capture = new Writable({
      write(chunk, _enc, done) {
        lines.push(...chunk.toString().trim().split('\n'));
        done();
      },
    });
    // Redis is up, but this instance was started as if it had not answered.
    const app = await createApp(testEnv({ AUTH_DISABLED: 'true' }), { redis: false, logger: createRootLogger('info', capture) });
    await app.listen(0, '127.0.0.1');
    const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
    try {
      const api = new Api(`http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`);
      const ctx = await newLedger(api);
      await newAccount(ctx, '@a');
      await fund(ctx, '@a', '100');
      expect((await balanceOf(ctx, '@a')).available).toBe('100');
      expect(await redis.keys(`ledger:{${ctx.ledger}}:*`)).toEqual([]);
      await eventually(
        async () => lines.map((l) => JSON.parse(l).msg as string),
        (msgs) => msgs.some((m) => /Redis answers again/.test(m)),
        5000,
      );
      expect(lines.map((l) => JSON.parse(l).msg).filter((m: string) => /Redis answers again/.test(m))).toHaveLength(1);
    } finally {
      redis.disconnect();
      await app.close();
    }
  });
});
