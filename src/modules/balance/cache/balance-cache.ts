import { Inject, Injectable, Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { AppConfig } from '../../../config/app-config';
import { REDIS, REDIS_AT_START } from '../../../infrastructure/redis/redis.tokens';
import { Balance } from '../balance.types';
import { balanceCacheKey, BalanceRef, decodeState, entryValues } from './balance-cache.entry';
import { BalanceCacheMetrics } from './balance-cache.metrics';
import { LuaScript, READ_SCRIPT, STORE_SCRIPT } from './balance-cache.scripts';
import { HotBalance, HotBalances } from './hot-balances';

export type WriteMode = 'newer' | 'not-older' | 'exact';

export interface CacheWrite {
  balance: Balance;
  mode: WriteMode;
  /** For 'exact': the version the entry must still hold ('' = no entry). */
  expected?: string;
}

interface ScriptCall {
  keys: string[];
  args: string[];
}

/** After a timeout, Redis is left alone this long (postings and reads skip the cache). */
const BACKOFF_MS = 1000;
/** At most one warning per this interval; the others are counted in the next one. */
const WARN_EVERY_MS = 10_000;

class RedisTimeout extends Error {}

/**
 * The balance cache (DESIGN G8 and section 2): Redis hashes keyed by ledger, alias and
 * balance key, written only through version-guarded Lua scripts, so an older state never
 * replaces a newer one whatever order writes arrive in. Postgres stays the truth: reads
 * always start from a Postgres row and take the cached state only when it is at least as
 * new. Nothing here ever throws to a posting or a read; Redis errors are counted, logged
 * (rate-limited) and swallowed.
 */
@Injectable()
export class BalanceCache {
  private readonly logger = new Logger(BalanceCache.name);
  private readonly ttlSeconds: string;
  private readonly timeoutMs: number;
  private readonly hot = new HotBalances();
  private backoffUntil = 0;
  private lastWarnAt = 0;
  private suppressedWarnings = 0;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly metrics: BalanceCacheMetrics,
    config: AppConfig,
    /** False: Redis did not answer at start and the cache stays off for this process (reads from Postgres). */
    @Inject(REDIS_AT_START) private readonly enabled: boolean,
  ) {
    this.ttlSeconds = String(config.get('BALANCE_CACHE_TTL_S'));
    this.timeoutMs = config.get('REDIS_COMMAND_TIMEOUT_MS');
  }

  /**
   * Caches the committed states of the balances a posting batch touched: one pipelined round
   * trip, one guarded script call per ledger. Never throws; takes at most the command timeout.
   */
  async storeCommitted(balances: Balance[]): Promise<void> {
    if (balances.length === 0) return;
    try {
      // The hot set feeds the sync job, which runs only with the cache on.
      if (this.enabled) for (const b of balances) this.hot.touch(b);
      if (!this.available('cache_write')) return;
      await this.write(balances.map((balance) => ({ balance, mode: 'newer' })));
    } catch (err) {
      this.failed('cache_write', err);
    }
  }

  /**
   * A read through the cache: given balances just read from Postgres, answers each one's
   * newest known state. A cached entry is used when it holds exactly that state (hit) or a
   * higher version of it (committed after the Postgres read); anything else is a miss: a
   * missing or older entry is replaced by the Postgres state, one that differs at the same
   * version is left to the sync job. Flags and the other fields always come from Postgres.
   * With Redis unavailable the Postgres states are returned as they are.
   */
  async overlay(fromPostgres: Balance[]): Promise<Balance[]> {
    if (fromPostgres.length === 0) return fromPostgres;
    if (this.enabled) for (const b of fromPostgres) this.hot.touch(b);
    if (!this.available('cache_read')) {
      this.metrics.misses.inc(fromPostgres.length);
      return fromPostgres;
    }
    let answers: unknown[][];
    try {
      answers = (await this.runGrouped(READ_SCRIPT, fromPostgres, (b) => entryValues(b))) as unknown[][];
    } catch (err) {
      this.failed('cache_read', err);
      this.metrics.misses.inc(fromPostgres.length);
      return fromPostgres;
    }
    return fromPostgres.map((b, i) => this.merge(b, answers[i]));
  }

  /**
   * Entries as Redis holds them (raw hashes, null when absent), error by error: a key that is
   * not a hash (WRONGTYPE: not a balance entry) is answered as absent and counted in
   * `wrongType` (nothing is deleted here: a write through STORE_SCRIPT deletes such a key
   * atomically before writing the entry); any other error of one key is answered as `failed`
   * for that key alone. Throws only when Redis does not answer.
   */
  async peek(refs: BalanceRef[]): Promise<{ entries: Array<Record<string, string> | null | 'failed'>; wrongType: number }> {
    if (refs.length === 0) return { entries: [], wrongType: 0 };
    const pipeline = this.redis.pipeline();
    for (const r of refs) pipeline.hgetall(balanceCacheKey(r));
    const results = (await this.bounded(pipeline.exec())) ?? [];
    let wrongType = 0;
    const entries = results.map(([err, hash]): Record<string, string> | null | 'failed' => {
      if (err) {
        if (!err.message.startsWith('WRONGTYPE')) return 'failed';
        wrongType++;
        return null;
      }
      const h = hash as Record<string, string>;
      return Object.keys(h).length > 0 ? h : null;
    });
    return { entries, wrongType };
  }

  /**
   * Guarded writes with explicit modes (see STORE_SCRIPT); answers, per write, whether it
   * was applied. Counts refusals of 'newer' writes as version-guard rejections. Throws on
   * Redis errors (storeCommitted and storeCurrent swallow them).
   */
  async write(writes: CacheWrite[]): Promise<boolean[]> {
    const applied = (await this.runGrouped(
      STORE_SCRIPT,
      writes,
      (w) => [w.mode, w.expected ?? '', ...entryValues(w.balance)],
      (w) => w.balance,
    )) as number[];
    const rejected = writes.filter((w, i) => w.mode !== 'exact' && applied[i] !== 1).length;
    if (rejected > 0) this.metrics.versionRejections.inc(rejected);
    return applied.map((a) => a === 1);
  }

  /** Caches a state whose version did not move (e.g. new flags). Never throws. */
  async storeCurrent(balances: Balance[]): Promise<void> {
    if (balances.length === 0 || !this.available('cache_write')) return;
    try {
      await this.write(balances.map((balance) => ({ balance, mode: 'not-older' })));
    } catch (err) {
      this.failed('cache_write', err);
    }
  }

  /** The `n` balances this process used most since the last call (the sync job checks them). */
  takeHot(n: number): HotBalance[] {
    return this.hot.take(n);
  }

  /** Counts and logs (rate-limited) a Redis failure; the caller has already fallen back. */
  failed(operation: string, err: unknown): void {
    this.metrics.redisErrors.inc({ operation });
    if (err instanceof RedisTimeout || (err as Error)?.message === 'Command timed out') this.backoffUntil = Date.now() + BACKOFF_MS;
    const now = Date.now();
    if (now - this.lastWarnAt < WARN_EVERY_MS) {
      this.suppressedWarnings++;
      return;
    }
    const more = this.suppressedWarnings > 0 ? ` (${this.suppressedWarnings} more since the last warning)` : '';
    this.logger.warn(`Balance cache ${operation} failed, serving from Postgres: ${(err as Error)?.message}${more}`);
    this.lastWarnAt = now;
    this.suppressedWarnings = 0;
  }

  private available(operation: string): boolean {
    if (!this.enabled || Date.now() < this.backoffUntil) return false;
    if (this.redis.status === 'ready') return true;
    this.failed(operation, new Error(`Redis connection is ${this.redis.status}`));
    return false;
  }

  private merge(b: Balance, answer: unknown[] | undefined): Balance {
    const status = answer?.[0];
    if (status === 'hit') {
      this.metrics.hits.inc();
      return b;
    }
    if (status === 'newer') {
      const [, version, available, onHold, updatedAt] = answer as string[];
      const state = decodeState({ version, available, onHold, updatedAt });
      if (state) {
        this.metrics.hits.inc();
        return { ...b, ...state };
      }
    }
    this.metrics.misses.inc();
    return b;
  }

  /**
   * Runs `script` over items in one pipelined round trip: one call per ledger (the keys of one
   * call share the {ledgerId} hash tag). Answers the script's per-key results in item order.
   */
  private async runGrouped<T>(
    script: LuaScript,
    items: T[],
    args: (item: T) => string[],
    balanceOf: (item: T) => Balance = (item) => item as unknown as Balance,
  ): Promise<unknown[]> {
    const groups = new Map<string, { call: ScriptCall; positions: number[] }>();
    items.forEach((item, i) => {
      const b = balanceOf(item);
      let g = groups.get(b.ledgerId);
      if (!g) groups.set(b.ledgerId, (g = { call: { keys: [], args: [this.ttlSeconds] }, positions: [] }));
      g.call.keys.push(balanceCacheKey(b));
      g.call.args.push(...args(item));
      g.positions.push(i);
    });
    const list = [...groups.values()];
    const replies = await this.evalAll(
      script,
      list.map((g) => g.call),
    );
    const out = new Array<unknown>(items.length);
    list.forEach((g, gi) => g.positions.forEach((pos, k) => (out[pos] = (replies[gi] as unknown[])[k])));
    return out;
  }

  /** EVALSHA in one pipeline; calls refused with NOSCRIPT (script cache emptied) rerun with EVAL. */
  private async evalAll(script: LuaScript, calls: ScriptCall[]): Promise<unknown[]> {
    const first = this.redis.pipeline();
    for (const c of calls) first.evalsha(script.sha, c.keys.length, ...c.keys, ...c.args);
    const results = (await this.bounded(first.exec())) ?? [];
    const replies = results.map(([, reply]) => reply);
    const noScript: number[] = [];
    results.forEach(([err], i) => {
      if (!err) return;
      if (err.message.startsWith('NOSCRIPT')) noScript.push(i);
      else throw err;
    });
    if (noScript.length === 0) return replies;
    this.logger.log(`Balance cache script not in the Redis script cache (restart or SCRIPT FLUSH); loading it again`);
    const retry = this.redis.pipeline();
    for (const i of noScript) retry.eval(script.source, calls[i].keys.length, ...calls[i].keys, ...calls[i].args);
    const again = (await this.bounded(retry.exec())) ?? [];
    again.forEach(([err, reply], k) => {
      if (err) throw err;
      replies[noScript[k]] = reply;
    });
    return replies;
  }

  /** A Redis call, given up after the command timeout (ioredis also times each command out). */
  private bounded<T>(work: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new RedisTimeout(`no answer from Redis within ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
  }
}

