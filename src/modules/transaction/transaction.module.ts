import { BullModule } from '@nestjs/bull';
import { Module } from '@nestjs/common';
import { BalanceModule } from '../balance/balance.module';
import { PENDING_EXPIRY_QUEUE } from './jobs/pending-expiry.constants';
import { PendingExpiryProcessor } from './jobs/pending-expiry.processor';
import { PendingExpiryScheduler } from './jobs/pending-expiry.scheduler';
import { PendingExpiryService } from './jobs/pending-expiry.service';
import { PostingEngine } from './posting/posting-engine';
import { PostingRepository } from './posting/posting.repository';
import { OperationController, TransactionController } from './transaction.controller';
import { TransactionRepository } from './transaction.repository';
import { TransactionService } from './transaction.service';

/** Transactions, operations, the group-commit posting engine and the pending-expiry job. */
@Module({
  imports: [BalanceModule, BullModule.registerQueue({ name: PENDING_EXPIRY_QUEUE })],
  controllers: [TransactionController, OperationController],
  providers: [
    PostingEngine,
    PostingRepository,
    TransactionRepository,
    TransactionService,
    PendingExpiryService,
    PendingExpiryProcessor,
    PendingExpiryScheduler,
  ],
  exports: [TransactionService],
})
export class TransactionModule {}
