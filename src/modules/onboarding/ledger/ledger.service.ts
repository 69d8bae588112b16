import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppError } from '../../../common/errors/app-error';
import { newId } from '../../../common/ids';
import { BalanceRepository } from '../../balance/balance.repository';
import { ScopeService } from '../../scope/scope.service';
import { CreateLedgerDto } from '../dto/ledger.dto';
import { LedgerEntity } from '../entities';
import { OnboardingCrudService, toColumns, uniqueViolation } from '../onboarding-crud.service';
import { Scope } from '../scoped.repository';
import { LedgerRepository } from './ledger.repository';

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
