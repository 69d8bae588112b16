import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { namedByPendingTransaction } from '../balance/balance.repository';
import { AccountEntity, AssetEntity, LedgerEntity, OrganizationEntity, PortfolioEntity, SegmentEntity } from './entities';
import { ScopedRepository } from './scoped.repository';

@Injectable()
export class OrganizationRepository extends ScopedRepository<OrganizationEntity> {
  constructor(@InjectRepository(OrganizationEntity) repo: Repository<OrganizationEntity>) {
    super(repo);
  }
}

@Injectable()
export class LedgerRepository extends ScopedRepository<LedgerEntity> {
  constructor(@InjectRepository(LedgerEntity) repo: Repository<LedgerEntity>) {
    super(repo);
  }
}

@Injectable()
export class AssetRepository extends ScopedRepository<AssetEntity> {
  constructor(@InjectRepository(AssetEntity) repo: Repository<AssetEntity>) {
    super(repo);
  }

  /**
   * Whether the live asset exists, locking its row in the caller's transaction: `share` while
   * an account of it is created, `update` while it is deleted (so neither misses the other).
   */
  async lockLiveByCode(ledgerId: string, code: string, mode: 'share' | 'update', manager: EntityManager): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      `SELECT id FROM assets WHERE ledger_id = $1 AND code = $2 AND deleted_at IS NULL FOR ${mode === 'share' ? 'SHARE' : 'UPDATE'}`,
      [ledgerId, code],
    );
    return rows.length > 0;
  }
}

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

@Injectable()
export class PortfolioRepository extends ScopedRepository<PortfolioEntity> {
  constructor(@InjectRepository(PortfolioEntity) repo: Repository<PortfolioEntity>) {
    super(repo);
  }
}

@Injectable()
export class SegmentRepository extends ScopedRepository<SegmentEntity> {
  constructor(@InjectRepository(SegmentEntity) repo: Repository<SegmentEntity>) {
    super(repo);
  }
}
