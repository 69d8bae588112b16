import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AppError } from '../../common/errors/app-error';
import { liveLedgers } from './live-ledger.sql';
import { Scope } from './scope.types';

/**
 * Checks that the organization and ledger of a path exist and belong together, so a
 * resource of another organization is a 404 like an unknown one.
 */
@Injectable()
export class ScopeService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async assertOrganization(organizationId: string, manager?: EntityManager): Promise<void> {
    const rows: unknown[] = await (manager ?? this.dataSource).query(
      'SELECT 1 FROM organizations WHERE id = $1 AND deleted_at IS NULL',
      [organizationId],
    );
    if (rows.length === 0) throw AppError.notFound('Organization');
  }

  async assertLedger(organizationId: string, ledgerId: string, manager?: EntityManager): Promise<void> {
    const rows: unknown[] = await (manager ?? this.dataSource).query(
      `SELECT 1 FROM ${liveLedgers('l', 'o')} WHERE l.id = $1 AND l.organization_id = $2`,
      [ledgerId, organizationId],
    );
    if (rows.length === 0) throw AppError.notFound('Ledger');
  }

  async assertScope(scope: Scope, manager?: EntityManager): Promise<void> {
    if (scope.organizationId && scope.ledgerId) await this.assertLedger(scope.organizationId, scope.ledgerId, manager);
    else if (scope.organizationId) await this.assertOrganization(scope.organizationId, manager);
  }

  /** The account exists in this ledger (by id or alias). */
  async assertAccount(
    organizationId: string,
    ledgerId: string,
    by: { id?: string; alias?: string },
    manager?: EntityManager,
  ): Promise<void> {
    await this.assertLedger(organizationId, ledgerId, manager);
    const [column, value] = by.id ? ['id', by.id] : ['alias', by.alias];
    const rows: unknown[] = await (manager ?? this.dataSource).query(
      `SELECT 1 FROM accounts WHERE ledger_id = $1 AND ${column} = $2 AND deleted_at IS NULL`,
      [ledgerId, value],
    );
    if (rows.length === 0) throw AppError.notFound('Account');
  }
}
