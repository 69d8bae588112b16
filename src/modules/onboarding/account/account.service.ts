import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AppError } from '../../../common/errors/app-error';
import { newId } from '../../../common/ids';
import { BalanceRepository } from '../../balance/balance.repository';
import { DEFAULT_BALANCE_KEY, EXTERNAL_ACCOUNT_TYPE, externalAlias } from '../../balance/balance.types';
import { ScopeService } from '../../scope/scope.service';
import { AssetRepository } from '../asset/asset.repository';
import { CreateAccountDto, UpdateAccountDto } from '../dto/account.dto';
import { AccountEntity } from '../entities';
import { OnboardingCrudService, toColumns, uniqueViolation } from '../onboarding-crud.service';
import { PortfolioRepository } from '../portfolio/portfolio.repository';
import { Scope } from '../scoped.repository';
import { SegmentRepository } from '../segment/segment.repository';
import { AccountRepository } from './account.repository';

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
