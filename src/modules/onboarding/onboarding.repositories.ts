import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
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

  findByCode(ledgerId: string, code: string, manager?: EntityManager): Promise<AssetEntity | null> {
    return this.using(manager).findOne({ where: { ledgerId, code } });
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

  /** Whether a PENDING transaction names this alias on either side (its commit would resolve the alias again). */
  async inPendingTransaction(ledgerId: string, alias: string, manager: EntityManager): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      `SELECT 1 FROM transactions
        WHERE ledger_id = $1 AND status_code = 'PENDING' AND ($2 = ANY(source) OR $2 = ANY(destination)) LIMIT 1`,
      [ledgerId, alias],
    );
    return rows.length > 0;
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
