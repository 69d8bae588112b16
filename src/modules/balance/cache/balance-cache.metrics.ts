import { Injectable } from '@nestjs/common';
import { Counter, Histogram, Registry } from 'prom-client';

/** The balance cache's Prometheus metrics, in the application's registry. */
@Injectable()
export class BalanceCacheMetrics {
  readonly hits: Counter;
  readonly misses: Counter;
  readonly versionRejections: Counter;
  readonly repairs: Counter;
  readonly warmed: Counter;
  readonly redisErrors: Counter<'operation'>;
  readonly syncSeconds: Histogram;

  constructor(registry: Registry) {
    const registers = [registry];
    this.hits = new Counter({
      name: 'ledger_balance_cache_hits_total',
      help: 'Balance reads answered with a cached entry (at or above the Postgres version)',
      registers,
    });
    this.misses = new Counter({
      name: 'ledger_balance_cache_misses_total',
      help: 'Balance reads without a usable cached entry (answered from Postgres, entry populated)',
      registers,
    });
    this.versionRejections = new Counter({
      name: 'ledger_balance_cache_version_rejections_total',
      help: 'Cache writes refused because the cached entry was already at the same or a higher version',
      registers,
    });
    this.repairs = new Counter({
      name: 'ledger_balance_cache_repairs_total',
      help: 'Cached entries the cache-sync job found different from or behind Postgres and rewrote',
      registers,
    });
    this.warmed = new Counter({
      name: 'ledger_balance_cache_warmed_total',
      help: 'Missing entries of recently changed or hot balances written by the cache-sync job',
      registers,
    });
    // Redis errors may be counted by other features too: share one counter per registry.
    this.redisErrors =
      (registry.getSingleMetric('ledger_redis_errors_total') as Counter<'operation'> | undefined) ??
      new Counter({
        name: 'ledger_redis_errors_total',
        help: 'Redis commands that failed or timed out, by operation (the caller fell back)',
        labelNames: ['operation'],
        registers,
      });
    this.syncSeconds = new Histogram({
      name: 'ledger_balance_cache_sync_seconds',
      help: 'Duration of one cache-sync run',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
  }
}
