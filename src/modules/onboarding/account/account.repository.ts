import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { namedByPendingTransaction } from '../../balance/balance.repository';
import { AccountEntity } from '../entities';
import { ScopedRepository } from '../scoped.repository';

@Injectable()
export class AccountRepository extends ScopedRepository<AccountEntity> {
  constructor(@InjectRepository(AccountEntity) repo: Repository<AccountEntity>) {
    super(repo);
  }

  findByAlias(organizationId: string, ledgerId: string, alias: string): Promise<AccountEntity | null> {
    return this.repo.findOne({ where: { organizationId, ledgerId, alias } });
  }

  /** Soft-deletes the live account holding an alias (the external account of a deleted asset). */
  async softDeleteByAlias(ledgerId: string, alias: string, manager: EntityManager): Promise<void> {
    await manager.query(`UPDATE accounts SET deleted_at = now(), updated_at = now() WHERE ledger_id = $1 AND alias = $2 AND deleted_at IS NULL`, [
      ledgerId,
      alias,
    ]);
  }

  /** Whether a PENDING transaction names this alias on either side (its commit would resolve the alias again). */
  inPendingTransaction(ledgerId: string, alias: string, manager: EntityManager): Promise<boolean> {
    return namedByPendingTransaction(manager, ledgerId, alias);
  }
}
