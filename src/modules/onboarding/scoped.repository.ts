import { DeepPartial, EntityManager, ObjectLiteral, Repository, SelectQueryBuilder } from 'typeorm';
import { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { ListQuery } from '../../common/pagination/list-query';
import { Scope } from '../scope/scope.types';
import { OnboardingEntity } from './entities/base.entity';

export type { Scope };

/**
 * Shared SQL of the onboarding entities: scoped reads, page-based lists with date and
 * metadata filters, counts, partial updates and soft deletes. Soft-deleted rows are invisible.
 */
export class ScopedRepository<E extends OnboardingEntity & ObjectLiteral> {
  constructor(protected readonly repo: Repository<E>) {}

  protected using(manager?: EntityManager): Repository<E> {
    return manager ? manager.getRepository<E>(this.repo.target) : this.repo;
  }

  private scoped(scope: Scope, manager?: EntityManager): SelectQueryBuilder<E> {
    const qb = this.using(manager).createQueryBuilder('e');
    if (scope.organizationId) qb.andWhere('e.organization_id = :organizationId', { organizationId: scope.organizationId });
    if (scope.ledgerId) qb.andWhere('e.ledger_id = :ledgerId', { ledgerId: scope.ledgerId });
    if (scope.ids) qb.andWhere('e.id = ANY(CAST(:scopeIds AS uuid[]))', { scopeIds: [...scope.ids] });
    return qb;
  }

  private filtered(scope: Scope, q: ListQuery): SelectQueryBuilder<E> {
    const qb = this.scoped(scope);
    if (q.startDate) qb.andWhere('e.created_at >= :startDate', { startDate: q.startDate });
    if (q.endBefore) qb.andWhere('e.created_at < :endBefore', { endBefore: q.endBefore });
    Object.entries(q.metadata).forEach(([key, value], i) =>
      qb.andWhere(`e.metadata ->> :mk${i} = :mv${i}`, { [`mk${i}`]: key, [`mv${i}`]: value }),
    );
    return qb;
  }

  findById(scope: Scope, id: string, manager?: EntityManager): Promise<E | null> {
    return this.scoped(scope, manager).andWhere('e.id = :id', { id }).getOne();
  }

  list(scope: Scope, q: ListQuery): Promise<E[]> {
    const order = q.sortOrder === 'asc' ? 'ASC' : 'DESC';
    return this.filtered(scope, q)
      .orderBy('e.created_at', order)
      .addOrderBy('e.id', order)
      .offset((q.page - 1) * q.limit)
      .limit(q.limit)
      .getMany();
  }

  /** Whether any live entity is in this scope. */
  anyIn(scope: Scope, manager?: EntityManager): Promise<boolean> {
    return this.scoped(scope, manager).getExists();
  }

  count(scope: Scope, q: ListQuery): Promise<number> {
    return this.filtered(scope, q).getCount();
  }

  async insert(entity: DeepPartial<E>, manager?: EntityManager): Promise<E> {
    const repo = this.using(manager);
    return repo.save(repo.create(entity));
  }

  /** Applies a partial update; null when the entity does not exist in this scope. */
  async update(scope: Scope, id: string, patch: QueryDeepPartialEntity<E>, manager?: EntityManager): Promise<E | null> {
    const existing = await this.findById(scope, id, manager);
    if (!existing) return null;
    await this.using(manager).update(id, patch);
    return this.findById(scope, id, manager);
  }

  async softDelete(scope: Scope, id: string, manager?: EntityManager): Promise<boolean> {
    const existing = await this.findById(scope, id, manager);
    if (!existing) return false;
    await this.using(manager).softDelete(id);
    return true;
  }
}
