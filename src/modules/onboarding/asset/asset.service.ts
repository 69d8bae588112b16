import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppError } from '../../../common/errors/app-error';
import { newId } from '../../../common/ids';
import { pgError, UNIQUE_VIOLATION } from '../../../infrastructure/database/pg-errors';
import { BalanceRepository } from '../../balance/balance.repository';
import { DEFAULT_BALANCE_KEY, EXTERNAL_ACCOUNT_TYPE, externalAlias } from '../../balance/balance.types';
import { ScopeService } from '../../scope/scope.service';
import { AccountRepository } from '../account/account.repository';
import { CreateAssetDto } from '../dto/asset.dto';
import { AccountEntity, AssetEntity } from '../entities';
import { OnboardingCrudService, toColumns } from '../onboarding-crud.service';
import { Scope } from '../scoped.repository';
import { AssetRepository } from './asset.repository';

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
