import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { ReconciliationMetrics } from './reconciliation.metrics';
import { BooksStatus, CheckSummary } from './reconciliation.types';

export interface CriticalAlert {
  runId: string;
  previousStatus: BooksStatus | null;
  startedAt: Date;
  finishedAt: Date;
  checks: CheckSummary[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * What happens on a transition to CRITICAL: an error-level log line, a metric, and a POST to
 * RECONCILIATION_WEBHOOK_URL when set. The webhook is sent in the background (timeout per
 * attempt, retries with backoff) and never delays or fails the run; shutdown waits for
 * deliveries in flight so a CLI run still gets its alert out.
 */
@Injectable()
export class ReconciliationAlerts implements OnModuleDestroy {
  private readonly logger = new Logger(ReconciliationAlerts.name);
  private readonly url: string;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly metrics: ReconciliationMetrics,
    config: AppConfig,
  ) {
    this.url = config.get('RECONCILIATION_WEBHOOK_URL');
    this.timeoutMs = config.get('RECONCILIATION_WEBHOOK_TIMEOUT_MS');
    this.retries = config.get('RECONCILIATION_WEBHOOK_RETRIES');
  }

  becameCritical(alert: CriticalAlert): void {
    const failing = alert.checks.filter((c) => c.status === 'CRITICAL').map((c) => `${c.name} (${c.issues})`);
    this.logger.error(
      { runId: alert.runId, previousStatus: alert.previousStatus, failing },
      `Reconciliation run ${alert.runId} is CRITICAL (was ${alert.previousStatus ?? 'unknown'}): ${failing.join(', ')}; see /v1/reconciliation/reports/${alert.runId}/html`,
    );
    this.metrics.becameCritical();
    if (!this.url) return;
    const delivery = this.deliver(this.payload(alert)).finally(() => this.inFlight.delete(delivery));
    this.inFlight.add(delivery);
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  private payload(alert: CriticalAlert): string {
    return JSON.stringify({
      event: 'reconciliation.critical',
      runId: alert.runId,
      status: 'CRITICAL',
      previousStatus: alert.previousStatus,
      startedAt: alert.startedAt.toISOString(),
      finishedAt: alert.finishedAt.toISOString(),
      checks: alert.checks.filter((c) => c.status === 'CRITICAL' || c.status === 'WARNING').map((c) => ({ name: c.name, status: c.status, issues: c.issues })),
      report: `/v1/reconciliation/reports/${alert.runId}`,
    });
  }

  private async deliver(body: string): Promise<void> {
    const host = safeHost(this.url);
    for (let attempt = 1; attempt <= this.retries + 1; attempt++) {
      try {
        const res = await fetch(this.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'user-agent': 'ledger-service-reconciliation' },
          body,
          signal: AbortSignal.timeout(this.timeoutMs),
        });
        await res.arrayBuffer().catch(() => undefined);
        if (res.ok) return;
        this.logger.warn(`Reconciliation webhook to ${host} answered ${res.status} (attempt ${attempt})`);
      } catch (err) {
        this.logger.warn(`Reconciliation webhook to ${host} failed (attempt ${attempt}): ${(err as Error).message}`);
      }
      if (attempt <= this.retries) await sleep(Math.min(500 * 2 ** (attempt - 1), 10_000));
    }
    this.metrics.webhookFailed();
    this.logger.error(`Reconciliation webhook to ${host} failed after ${this.retries + 1} attempts`);
  }
}

/** The webhook's host only: its path or query may carry a token. */
function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'the webhook';
  }
}
