import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../../config/app-config';
import { BalanceRepository } from '../balance.repository';
import { Balance } from '../balance.types';
import { compareVersions, encodeEntry, isVersion, sameEntry } from './balance-cache.entry';
import { BalanceCache, CacheWrite } from './balance-cache';
import { BalanceCacheMetrics } from './balance-cache.metrics';

export interface CacheSyncReport {
  /** Balances compared with their cached entries. */
  checked: number;
  /** Entries that differed from or were behind Postgres, rewritten. */
  repaired: number;
  /** Missing entries written (warming after a flush, an eviction or a failed write). */
  warmed: number;
  /** Keys where an entry belongs that were not balance hashes (wrong Redis type), deleted. */
  removed: number;
  /** Entries Redis could not read (an error of that key alone); the next run retries them. */
  failed: number;
}

/** Balances compared per Redis round trip. */
const CHUNK = 500;

type Verdict = 'same' | 'missing' | 'behind' | 'differs' | 'ahead';

function verdict(b: Balance, raw: Record<string, string> | null): Verdict {
  if (!raw) return 'missing';
  if (raw.id !== b.id || !isVersion(raw.version)) return 'differs';
  const c = compareVersions(raw.version, encodeEntry(b).version);
  if (c < 0) return 'behind';
  if (c > 0) return 'ahead';
  return sameEntry(raw, b) ? 'same' : 'differs';
}

/**
 * The cache-sync job's work (DESIGN section 2): re-reads recently changed balances
 * (updated_at within BALANCE_CACHE_SYNC_WINDOW_MS) and this process's most used balances from
 * Postgres, compares each with its cached entry and rewrites any entry that is missing (warm),
 * behind or different (repair). Every write is guarded, so a posting that commits meanwhile
 * is never overwritten with an older state.
 */
@Injectable()
export class BalanceCacheSync {
  private readonly windowMs: number;
  private readonly maxRecent: number;
  private readonly maxHot: number;

  constructor(
    private readonly balances: BalanceRepository,
    private readonly cache: BalanceCache,
    private readonly metrics: BalanceCacheMetrics,
    config: AppConfig,
  ) {
    this.windowMs = config.get('BALANCE_CACHE_SYNC_WINDOW_MS');
    this.maxRecent = config.get('BALANCE_CACHE_SYNC_MAX');
    this.maxHot = config.get('BALANCE_CACHE_SYNC_HOT');
  }

  /**
   * One sync run. An error of one key (e.g. a key of the wrong type) is handled for that key
   * alone; throws only when Redis or Postgres fails (the job logs it; the next run retries).
   */
  async syncOnce(now = new Date()): Promise<CacheSyncReport> {
    const stopTimer = this.metrics.syncSeconds.startTimer();
    try {
      const recent = await this.balances.findChangedSince(new Date(now.getTime() - this.windowMs), this.maxRecent);
      const seen = new Set(recent.map((b) => b.id));
      const hot = this.cache.takeHot(this.maxHot).filter((h) => !seen.has(h.id));
      const candidates = [...recent, ...(await this.balances.findByIds(hot))];
      const report: CacheSyncReport = { checked: 0, repaired: 0, warmed: 0, removed: 0, failed: 0 };
      for (let i = 0; i < candidates.length; i += CHUNK) await this.syncChunk(candidates.slice(i, i + CHUNK), report);
      if (report.repaired > 0) this.metrics.repairs.inc(report.repaired);
      if (report.warmed > 0) this.metrics.warmed.inc(report.warmed);
      return report;
    } finally {
      stopTimer();
    }
  }

  private async syncChunk(rows: Balance[], report: CacheSyncReport): Promise<void> {
    // A key of the wrong type reads as missing: its warm write (STORE_SCRIPT's fields()) deletes
    // it atomically, unless a posting has replaced it with a hash meanwhile.
    const { entries: cached, wrongType } = await this.redisStep(() => this.cache.peek(rows));
    report.removed += wrongType;
    const writes: Array<CacheWrite & { warm: boolean }> = [];
    const ahead: Array<{ row: Balance; raw: Record<string, string> }> = [];
    rows.forEach((b, i) => {
      const raw = cached[i];
      if (raw === 'failed') {
        report.failed++; // that key alone: the others are still synced
        return;
      }
      const v = verdict(b, raw);
      if (v === 'ahead') ahead.push({ row: b, raw: raw! });
      else if (v !== 'same') writes.push(this.fix(b, raw, v));
    });
    // Above Postgres: a commit after our read, or a bad entry. Read Postgres again to tell.
    if (ahead.length > 0) {
      const fresh = new Map((await this.balances.findByIds(ahead.map((a) => a.row))).map((b) => [b.id, b]));
      for (const { row, raw } of ahead) {
        const b = fresh.get(row.id);
        if (!b) continue;
        const v = verdict(b, raw);
        // Still above a later Postgres read: no commit ever made that state.
        if (v === 'ahead') writes.push({ balance: b, mode: 'exact', expected: raw.version, warm: false });
        else if (v !== 'same') writes.push(this.fix(b, raw, v));
      }
    }
    report.checked += rows.length;
    if (writes.length === 0) return;
    const applied = await this.redisStep(() => this.cache.write(writes));
    writes.forEach((w, i) => {
      if (!applied[i]) return;
      if (w.warm) report.warmed++;
      else report.repaired++;
    });
  }

  private async redisStep<T>(step: () => Promise<T>): Promise<T> {
    try {
      return await step();
    } catch (err) {
      this.metrics.redisErrors.inc({ operation: 'cache_sync' });
      throw err;
    }
  }

  private fix(b: Balance, raw: Record<string, string> | null, v: Verdict): CacheWrite & { warm: boolean } {
    if (v === 'missing') return { balance: b, mode: 'newer', warm: true };
    if (v === 'behind') return { balance: b, mode: 'newer', warm: false };
    // Same version, other content (or another balance's entry): replace only that exact entry.
    return { balance: b, mode: 'exact', expected: raw?.version ?? '', warm: false };
  }
}
