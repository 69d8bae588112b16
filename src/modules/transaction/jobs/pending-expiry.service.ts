import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { AppError } from '../../../common/errors/app-error';
import { AppConfig } from '../../../config/app-config';
import { DueHold, TransactionRepository } from '../transaction.repository';
import { TransactionService } from '../transaction.service';

export interface ExpiryReport {
  /** Holds found past their expiry. */
  found: number;
  /** Holds this run canceled. */
  expired: number;
  /** Holds committed or canceled by someone else in the meantime (409 0099, or gone). */
  skipped: number;
  /** Holds whose cancel failed for another reason; the next run retries them. */
  failed: number;
}

/**
 * Cancels PENDING holds whose expiresAt has passed (DESIGN section 4, "cancel / expiry"),
 * through the same posting engine as an API cancel: RELEASE operations, status CANCELED,
 * metadata.cancelReason = 'expired'. The status change is guarded in SQL by the engine, so a
 * hold committed or canceled concurrently is simply skipped.
 */
@Injectable()
export class PendingExpiryService implements OnModuleDestroy {
  private readonly logger = new Logger(PendingExpiryService.name);
  private readonly batchSize: number;
  private stopping = false;

  constructor(
    private readonly transactions: TransactionRepository,
    private readonly transactionService: TransactionService,
    config: AppConfig,
  ) {
    this.batchSize = config.get('PENDING_EXPIRY_BATCH');
  }

  onModuleDestroy(): void {
    this.stopping = true; // finish the current round, start no other
  }

  /**
   * Expires every hold due by the database's clock (plus `aheadMs`, which only tests use to act
   * as if that much time had passed), in rounds of PENDING_EXPIRY_BATCH, each round after the
   * last hold of the previous one: a hold whose cancel fails is reported and passed, never
   * retried in a loop, and never keeps the holds behind it from expiring (the next run retries it).
   */
  async expireDueHolds(options: { aheadMs?: number } = {}): Promise<ExpiryReport> {
    const report: ExpiryReport = { found: 0, expired: 0, skipped: 0, failed: 0 };
    let after: DueHold | undefined;
    for (;;) {
      const due = await this.transactions.findExpiredHolds(this.batchSize, after, options.aheadMs);
      const round = await this.expireRound(due);
      report.found += due.length;
      report.expired += round.expired;
      report.skipped += round.skipped;
      report.failed += round.failed;
      // A short round was the last one.
      if (due.length < this.batchSize || this.stopping) return report;
      after = due[due.length - 1];
    }
  }

  /** Submits all cancels at once so the engine groups them into few batches. */
  private async expireRound(due: DueHold[]): Promise<Omit<ExpiryReport, 'found'>> {
    const outcomes = await Promise.allSettled(
      due.map((h) => this.transactionService.expire(h.organizationId, h.ledgerId, h.id)),
    );
    const round = { expired: 0, skipped: 0, failed: 0 };
    outcomes.forEach((o, i) => {
      if (o.status === 'fulfilled') round.expired++;
      else if (o.reason instanceof AppError && (o.reason.key === 'NOT_PENDING' || o.reason.key === 'NOT_FOUND')) round.skipped++;
      else {
        round.failed++;
        const h = due[i];
        this.logger.error(
          { transactionId: h.id, ledgerId: h.ledgerId, err: o.reason },
          `Expiry of hold ${h.id} failed: ${(o.reason as Error)?.message}`,
        );
      }
    });
    return round;
  }
}
