import { Module } from '@nestjs/common';
import { BalanceModule } from '../balance/balance.module';
import { PostingEngine } from './posting/posting-engine';
import { PostingRepository } from './posting/posting.repository';
import { OperationController, TransactionController } from './transaction.controller';
import { TransactionRepository } from './transaction.repository';
import { TransactionService } from './transaction.service';

/** Transactions, operations and the group-commit posting engine. */
@Module({
  imports: [BalanceModule],
  controllers: [TransactionController, OperationController],
  providers: [PostingEngine, PostingRepository, TransactionRepository, TransactionService],
  exports: [TransactionService],
})
export class TransactionModule {}
