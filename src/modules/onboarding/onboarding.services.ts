import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { newId } from '../../common/ids';
import { AppError } from '../../common/errors/app-error';
import { pgError, UNIQUE_VIOLATION } from '../../infrastructure/database/pg-errors';
import { BalanceRepository } from '../balance/balance.repository';
import { DEFAULT_BALANCE_KEY, EXTERNAL_ACCOUNT_TYPE, externalAlias } from '../balance/balance.types';
import { ScopeService } from '../scope/scope.service';
import { CreateAccountDto, UpdateAccountDto } from './dto/account.dto';
import { CreateAssetDto } from './dto/asset.dto';
import { CreateLedgerDto } from './dto/ledger.dto';
import { CreateOrganizationDto, UpdateOrganizationDto } from './dto/organization.dto';
import { CreatePortfolioDto } from './dto/portfolio.dto';
import { CreateSegmentDto } from './dto/segment.dto';
import { AccountEntity, AssetEntity, LedgerEntity, OrganizationEntity, PortfolioEntity, SegmentEntity } from './entities';
import { OnboardingCrudService, toColumns } from './onboarding-crud.service';
import {
  AccountRepository,
  AssetRepository,
  LedgerRepository,
  OrganizationRepository,
  PortfolioRepository,
  SegmentRepository,
} from './onboarding.repositories';
import { Scope } from './scoped.repository';

/** Maps a unique violation on the named index to a domain error; rethrows anything else. */
function uniqueViolation(err: unknown, constraint: string, error: () => AppError): never {
  const e = pgError(err);
  if (e.code === UNIQUE_VIOLATION && e.constraint === constraint) throw error();
  throw err;
}

@Injectable()
export class OrganizationService extends OnboardingCrudService<OrganizationEntity> {
  constructor(
    repo: OrganizationRepository,
    scopes: ScopeService,
    private readonly ledgers: LedgerRepository,
  ) {
    super(repo, scopes, 'Organization');
  }

  /** An organization is deleted only once it has no live ledger (their money would become unreachable). */
  override async remove(scope: Scope, id: string): Promise<void> {
    await this.get(scope, id);
    if (await this.ledgers.anyIn({ organizationId: id })) {
      throw new AppError('ORGANIZATION_HAS_LEDGERS', 'An organization can only be deleted once its ledgers are deleted.');
    }
    await super.remove(scope, id);
  }

  async create(dto: CreateOrganizationDto): Promise<OrganizationEntity> {
    if (dto.parentOrganizationId) await this.assertParent(dto.parentOrganizationId);
    return this.repo.insert({ id: newId(), ...toColumns(dto) } as Partial<OrganizationEntity>);
  }

  protected override async beforeUpdate(_scope: Scope, id: string, dto: UpdateOrganizationDto): Promise<void> {
    if (!dto.parentOrganizationId) return;
    if (dto.parentOrganizationId === id) {
      throw new AppError('BAD_REQUEST', 'An organization cannot be its own parent.', {
        fields: { parentOrganizationId: 'must differ from the organization id' },
      });
    }
    await this.assertParent(dto.parentOrganizationId);
  }

  private async assertParent(parentId: string): Promise<void> {
    if (!(await this.repo.findById({}, parentId))) {
      throw new AppError('PARENT_NOT_FOUND', 'The parent organization does not exist.', { entityType: 'Organization' });
    }
  }
}

@Injectable()
export class LedgerService extends OnboardingCrudService<LedgerEntity> {
  constructor(
    repo: LedgerRepository,
    scopes: ScopeService,
    private readonly balances: BalanceRepository,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {
    super(repo, scopes, 'Ledger');
  }

  /**
   * Deletes the ledger with its balances, in one transaction, only when every balance is zero
   * (external ones included: money that came in has gone out) and so no hold is pending. The
   * balances are locked as postings lock them: a batch in flight commits first, or finds them
   * deleted afterwards.
   */
  override async remove(scope: Scope, id: string): Promise<void> {
    await this.get(scope, id);
    await this.dataSource.transaction(async (m) => {
      if ((await this.balances.softDeleteLedgerBalancesIfZero(id, m)) === 'not-zero') {
        throw new AppError('BALANCE_NOT_ZERO', 'A ledger can only be deleted when all its balances are zero.');
      }
      if (!(await this.repo.softDelete(scope, id, m))) throw AppError.notFound('Ledger');
    });
  }

  async create(organizationId: string, dto: CreateLedgerDto): Promise<LedgerEntity> {
    await this.scopes.assertOrganization(organizationId);
    return this.repo
      .insert({ id: newId(), organizationId, ...toColumns(dto) } as Partial<LedgerEntity>)
      .catch((err: unknown) => this.translateWriteError(err));
  }

  protected override translateWriteError(err: unknown): never {
    uniqueViolation(err, 'ledgers_org_name_uq', () => new AppError('DUPLICATE_LEDGER', 'A ledger with this name already exists in the organization.'));
  }
}

@Injectable()
export class AssetService extends OnboardingCrudService<AssetEntity> {
  constructor(
    private readonly assets: AssetRepository,
    scopes: ScopeService,
    private readonly balances: BalanceRepository,
    private readonly accounts: AccountRepository,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {
    super(assets, scopes, 'Asset');
  }

  /**
   * Deletes the asset only while no live balance of it exists but its external account's at
   * zero (1021): balances of a deleted asset would still post, yet no account of it could be
   * created, nor the asset again. The external account and its zero balance go with it. The
   * asset row is locked, as an account being created locks it, so neither misses the other.
   */
  override async remove(scope: Scope, id: string): Promise<void> {
    const asset = await this.get(scope, id);
    await this.dataSource.transaction(async (m) => {
      if (!(await this.assets.lockLiveByCode(asset.ledgerId, asset.code, 'update', m))) throw AppError.notFound('Asset');
      if (await this.balances.assetInUse(asset.ledgerId, asset.code, m)) {
        throw new AppError('ASSET_IN_USE', 'An asset can only be deleted once no account holds a balance of it (and its external balance is zero).');
      }
      await this.balances.softDeleteExternalBalances(asset.ledgerId, asset.code, m);
      await this.accounts.softDeleteByAlias(asset.ledgerId, externalAlias(asset.code), m);
      if (!(await this.repo.softDelete(scope, id, m))) throw AppError.notFound('Asset');
    });
  }

  /** Creates the asset and its external account `@external/{CODE}` with a zero balance, atomically. */
  async create(organizationId: string, ledgerId: string, dto: CreateAssetDto): Promise<AssetEntity> {
    if (dto.code !== dto.code.toUpperCase()) {
      throw new AppError('CODE_UPPERCASE', 'code must be upper case.', { fields: { code: 'must be upper case' } });
    }
    await this.scopes.assertLedger(organizationId, ledgerId);
    return this.dataSource
      .transaction(async (m) => {
        const asset = await this.repo.insert(
          { id: newId(), organizationId, ledgerId, ...toColumns(dto) } as Partial<AssetEntity>,
          m,
        );
        const accountId = newId();
        const alias = externalAlias(asset.code);
        await m.getRepository(AccountEntity).insert({
          id: accountId,
          organizationId,
          ledgerId,
          assetCode: asset.code,
          name: `External ${asset.code}`,
          alias,
          type: EXTERNAL_ACCOUNT_TYPE,
        });
        await this.balances.insertZeroBalance(
          { id: newId(), organizationId, ledgerId, accountId, alias, key: DEFAULT_BALANCE_KEY, assetCode: asset.code, accountType: EXTERNAL_ACCOUNT_TYPE },
          m,
        );
        return asset;
      })
      .catch((err: unknown) => this.translateWriteError(err));
  }

  protected override translateWriteError(err: unknown): never {
    const e = pgError(err);
    if (e.code === UNIQUE_VIOLATION && (e.constraint === 'assets_ledger_code_uq' || e.constraint === 'accounts_ledger_alias_uq')) {
      throw new AppError('DUPLICATE_ASSET', 'An asset with this code already exists in the ledger.');
    }
    throw err;
  }
}

@Injectable()
export class AccountService extends OnboardingCrudService<AccountEntity> {
  constructor(
    private readonly accounts: AccountRepository,
    scopes: ScopeService,
    private readonly assets: AssetRepository,
    private readonly portfolios: PortfolioRepository,
    private readonly segments: SegmentRepository,
    private readonly balances: BalanceRepository,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {
    super(accounts, scopes, 'Account');
  }

  /** Creates the account and its `default` balance (zero, version 0) in one transaction. */
  async create(organizationId: string, ledgerId: string, dto: CreateAccountDto): Promise<AccountEntity> {
    await this.scopes.assertLedger(organizationId, ledgerId);
    const scope = { organizationId, ledgerId };
    return this.dataSource
      .transaction(async (m) => {
        if (!(await this.assets.lockLiveByCode(ledgerId, dto.assetCode, 'share', m))) {
          throw new AppError('ASSET_NOT_FOUND', `Asset ${dto.assetCode} does not exist in this ledger.`, {
            fields: { assetCode: 'unknown asset' },
          });
        }
        await this.assertReferences(scope, dto, m);
        const id = newId();
        const account = await this.repo.insert(
          { id, organizationId, ledgerId, ...toColumns(dto), alias: dto.alias ?? id } as Partial<AccountEntity>,
          m,
        );
        await this.balances.insertZeroBalance(
          { id: newId(), organizationId, ledgerId, accountId: id, alias: account.alias, key: DEFAULT_BALANCE_KEY, assetCode: dto.assetCode, accountType: dto.type },
          m,
        );
        return account;
      })
      .catch((err: unknown) => this.translateWriteError(err));
  }

  async getByAlias(organizationId: string, ledgerId: string, alias: string): Promise<AccountEntity> {
    const account = await this.accounts.findByAlias(organizationId, ledgerId, alias);
    if (!account) throw AppError.notFound('Account');
    return account;
  }

  getExternal(organizationId: string, ledgerId: string, assetCode: string): Promise<AccountEntity> {
    return this.getByAlias(organizationId, ledgerId, externalAlias(assetCode));
  }

  /**
   * Deletes the account with its balances, in one transaction: only when every balance is
   * zero (money never disappears with an account) and no PENDING transaction names it (its
   * commit would credit whichever account holds the alias then), so the alias can be reused
   * without leaving a second live balance behind. The balances are locked first, as a posting
   * locks them, so a hold being created either commits before the check or finds them deleted.
   */
  override async remove(scope: Scope, id: string): Promise<void> {
    const account = await this.get(scope, id);
    if (account.type === EXTERNAL_ACCOUNT_TYPE) {
      throw new AppError('EXTERNAL_ACCOUNT_FORBIDDEN', 'External accounts cannot be deleted.');
    }
    await this.dataSource.transaction(async (m) => {
      if ((await this.balances.softDeleteAccountBalancesIfZero(account.ledgerId, id, m)) === 'not-zero') {
        throw new AppError('BALANCE_NOT_ZERO', 'An account can only be deleted when all its balances are zero.');
      }
      if (await this.accounts.inPendingTransaction(account.ledgerId, account.alias, m)) {
        throw new AppError('ACCOUNT_HAS_PENDING', 'An account named by a PENDING transaction cannot be deleted; commit or cancel it first.');
      }
      if (!(await this.repo.softDelete(scope, id, m))) throw AppError.notFound('Account');
    });
  }

  protected override async beforeUpdate(scope: Scope, id: string, dto: UpdateAccountDto): Promise<void> {
    const account = await this.get(scope, id);
    if (account.type === EXTERNAL_ACCOUNT_TYPE) {
      throw new AppError('EXTERNAL_ACCOUNT_FORBIDDEN', 'External accounts cannot be modified.');
    }
    await this.assertReferences(scope, dto);
  }

  private async assertReferences(
    scope: Scope,
    dto: { parentAccountId?: string; portfolioId?: string; segmentId?: string },
    m?: EntityManager,
  ): Promise<void> {
    const checks: Array<[string | undefined, { findById(s: Scope, id: string, m?: EntityManager): Promise<unknown> }, string]> = [
      [dto.parentAccountId, this.accounts, 'parentAccountId'],
      [dto.portfolioId, this.portfolios, 'portfolioId'],
      [dto.segmentId, this.segments, 'segmentId'],
    ];
    for (const [id, repo, field] of checks) {
      if (id && !(await repo.findById(scope, id, m))) {
        throw new AppError('PARENT_NOT_FOUND', `${field} does not refer to an existing entity of this ledger.`, {
          fields: { [field]: 'not found in this ledger' },
        });
      }
    }
  }

  protected override translateWriteError(err: unknown): never {
    uniqueViolation(err, 'accounts_ledger_alias_uq', () => new AppError('ALIAS_UNAVAILABLE', 'This alias is already used by another account of the ledger.'));
  }
}

@Injectable()
export class PortfolioService extends OnboardingCrudService<PortfolioEntity> {
  constructor(repo: PortfolioRepository, scopes: ScopeService) {
    super(repo, scopes, 'Portfolio');
  }

  async create(organizationId: string, ledgerId: string, dto: CreatePortfolioDto): Promise<PortfolioEntity> {
    await this.scopes.assertLedger(organizationId, ledgerId);
    return this.repo.insert({ id: newId(), organizationId, ledgerId, ...toColumns(dto) } as Partial<PortfolioEntity>);
  }
}

@Injectable()
export class SegmentService extends OnboardingCrudService<SegmentEntity> {
  constructor(repo: SegmentRepository, scopes: ScopeService) {
    super(repo, scopes, 'Segment');
  }

  async create(organizationId: string, ledgerId: string, dto: CreateSegmentDto): Promise<SegmentEntity> {
    await this.scopes.assertLedger(organizationId, ledgerId);
    return this.repo.insert({ id: newId(), organizationId, ledgerId, ...toColumns(dto) } as Partial<SegmentEntity>);
  }
}
