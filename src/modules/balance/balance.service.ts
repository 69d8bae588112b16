import { Injectable } from '@nestjs/common';
import { AppError } from '../../common/errors/app-error';
import { CursorWindow } from '../../common/pagination/cursor';
import { CursorPage, ListQuery } from '../../common/pagination/list-query';
import { validInstant } from '../../common/time/instant';
import { ScopeService } from '../scope/scope.service';
import { BalanceRepository, BalanceFilter } from './balance.repository';
import { Balance, EXTERNAL_ACCOUNT_TYPE, externalAlias } from './balance.types';
import { toBalanceDto, toBalanceHistoryItemDto } from './balance.mapper';
import { BalanceCache } from './cache/balance-cache';
import { BalanceHistoryQuery } from './dto/balance-history.query';
import { BalanceDto, BalanceHistoryItemDto, UpdateBalanceDto } from './dto/balance.dto';

@Injectable()
export class BalanceService {
  constructor(
    private readonly balances: BalanceRepository,
    private readonly scopes: ScopeService,
    private readonly cache: BalanceCache,
  ) {}

  /**
   * Reads start from Postgres (which balances exist, their flags, the floor of their state);
   * the cache answers the newest committed state it holds (see BalanceCache.overlay).
   */
  async get(orgId: string, ledgerId: string, id: string, at?: unknown): Promise<Balance> {
    if (at !== undefined) return this.getAsOf(orgId, ledgerId, id, validInstant(at, 'at'));
    const balance = await this.balances.findById(orgId, ledgerId, id);
    if (!balance) throw AppError.notFound('Balance');
    const [freshest] = await this.cache.overlay([balance]);
    return freshest;
  }

  /**
   * The balance as it stood at an instant, from its operations (never the cache): see
   * BalanceRepository.findAsOf. A soft-deleted balance is found at the instants it was alive.
   */
  private async getAsOf(orgId: string, ledgerId: string, id: string, at: Date): Promise<Balance> {
    const balance = await this.balances.findAsOf(orgId, ledgerId, id, at);
    if (!balance) throw AppError.notFound('Balance');
    return balance;
  }

  /** The balance after each of its operations in [from, to], by version (deleted balances too). */
  async history(orgId: string, ledgerId: string, id: string, q: BalanceHistoryQuery): Promise<CursorPage<BalanceHistoryItemDto>> {
    if (!(await this.balances.findIncludingDeleted(orgId, ledgerId, id))) throw AppError.notFound('Balance');
    const window = new CursorWindow(q.page);
    const rows = await this.balances.history(ledgerId, id, { from: q.from, to: q.to }, window);
    return window.page(rows, toBalanceHistoryItemDto);
  }

  async list(orgId: string, ledgerId: string, q: ListQuery): Promise<CursorPage<BalanceDto>> {
    await this.scopes.assertLedger(orgId, ledgerId);
    return this.page(orgId, ledgerId, {}, q);
  }

  async listForAccount(orgId: string, ledgerId: string, accountId: string, q: ListQuery): Promise<CursorPage<BalanceDto>> {
    await this.scopes.assertAccount(orgId, ledgerId, { id: accountId });
    return this.page(orgId, ledgerId, { accountId }, q);
  }

  async listForAlias(orgId: string, ledgerId: string, alias: string, q: ListQuery): Promise<CursorPage<BalanceDto>> {
    await this.scopes.assertAccount(orgId, ledgerId, { alias });
    return this.page(orgId, ledgerId, { alias }, q);
  }

  listForExternal(orgId: string, ledgerId: string, assetCode: string, q: ListQuery): Promise<CursorPage<BalanceDto>> {
    return this.listForAlias(orgId, ledgerId, externalAlias(assetCode), q);
  }

  async update(orgId: string, ledgerId: string, id: string, dto: UpdateBalanceDto): Promise<Balance> {
    await this.assertModifiable(orgId, ledgerId, id);
    const updated = await this.balances.setFlags(orgId, ledgerId, id, dto);
    if (!updated) throw AppError.notFound('Balance');
    await this.cache.storeCurrent([updated]); // new flags, same version
    return updated;
  }

  async remove(orgId: string, ledgerId: string, id: string): Promise<void> {
    await this.assertModifiable(orgId, ledgerId, id);
    const outcome = await this.balances.softDeleteIfZero(orgId, ledgerId, id);
    if (outcome === 'not-found') throw AppError.notFound('Balance');
    if (outcome === 'not-zero') {
      throw new AppError('BALANCE_NOT_ZERO', 'A balance can only be deleted when its available and on-hold amounts are zero.');
    }
    if (outcome === 'pending') {
      throw new AppError('BALANCE_HAS_PENDING', 'A balance named by a PENDING transaction cannot be deleted; commit or cancel it first.');
    }
  }

  /** The balance exists and is not an external account's (those exist for the asset's lifetime: Midaz 0074). */
  private async assertModifiable(orgId: string, ledgerId: string, id: string): Promise<void> {
    const balance = await this.balances.findById(orgId, ledgerId, id);
    if (!balance) throw AppError.notFound('Balance');
    if (balance.accountType === EXTERNAL_ACCOUNT_TYPE) {
      throw new AppError('EXTERNAL_ACCOUNT_FORBIDDEN', 'The balances of external accounts cannot be modified or deleted.');
    }
  }

  private async page(orgId: string, ledgerId: string, filter: BalanceFilter, q: ListQuery): Promise<CursorPage<BalanceDto>> {
    const window = new CursorWindow(q);
    const rows = await this.balances.list(orgId, ledgerId, filter, window);
    const shown = await this.cache.overlay(rows.slice(0, q.limit)); // the extra row only tells if there is more
    return window.page([...shown, ...rows.slice(q.limit)], toBalanceDto);
  }
}
