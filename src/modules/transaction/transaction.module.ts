import { Module } from '@nestjs/common';
import { BalanceModule } from '../balance/balance.module';
import { IdempotencyRepository } from './idempotency/idempotency.repository';
import { PendingExpiryService } from './jobs/pending-expiry.service';
import { PostingEngine } from './posting/posting-engine';
import { PostingRepository } from './posting/posting.repository';
import { OperationController, TransactionController } from './transaction.controller';
import { TransactionRepository } from './transaction.repository';
import { TransactionService } from './transaction.service';

/** Transactions, operations, the group-commit posting engine and pending expiry (its schedule: PendingExpiryJobModule). */
@Module({
  imports: [BalanceModule],
  controllers: [TransactionController, OperationController],
  providers: [
    PostingEngine,
    PostingRepository,
    IdempotencyRepository,
    TransactionRepository,
    TransactionService,
    PendingExpiryService,
  ],
  exports: [TransactionService, PendingExpiryService],
})
export class TransactionModule {}
