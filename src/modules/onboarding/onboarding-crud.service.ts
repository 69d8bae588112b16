import { ObjectLiteral } from 'typeorm';
import { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { AppError } from '../../common/errors/app-error';
import { pgError, UNIQUE_VIOLATION } from '../../infrastructure/database/pg-errors';
import { ListQuery } from '../../common/pagination/list-query';
import { OnboardingEntity } from './entities/base.entity';
import { OnboardingInputDto } from './dto/base-input.dto';
import { Scope, ScopedRepository } from './scoped.repository';
import { ScopeService } from '../scope/scope.service';

/** Turns an input DTO (status as {code, description}) into entity columns. */
export function toColumns<T extends OnboardingInputDto>(dto: T): Record<string, unknown> {
  const { status, ...rest } = dto;
  const columns: Record<string, unknown> = { ...rest };
  if (status) {
    columns.statusCode = status.code;
    columns.statusDescription = status.description ?? null;
  }
  return columns;
}

/** Maps a unique violation on the named index to a domain error; rethrows anything else. */
export function uniqueViolation(err: unknown, constraint: string, error: () => AppError): never {
  const e = pgError(err);
  if (e.code === UNIQUE_VIOLATION && e.constraint === constraint) throw error();
  throw err;
}

/** Read, list, count, update and soft delete, shared by every onboarding entity. */
export abstract class OnboardingCrudService<E extends OnboardingEntity & ObjectLiteral> {
  protected constructor(
    protected readonly repo: ScopedRepository<E>,
    protected readonly scopes: ScopeService,
    protected readonly entityType: string,
  ) {}

  async get(scope: Scope, id: string): Promise<E> {
    const entity = await this.repo.findById(scope, id);
    if (!entity) throw AppError.notFound(this.entityType);
    return entity;
  }

  async list(scope: Scope, q: ListQuery): Promise<E[]> {
    await this.scopes.assertScope(scope);
    return this.repo.list(scope, q);
  }

  async count(scope: Scope, q: ListQuery): Promise<number> {
    await this.scopes.assertScope(scope);
    return this.repo.count(scope, q);
  }

  async update(scope: Scope, id: string, dto: OnboardingInputDto): Promise<E> {
    await this.beforeUpdate(scope, id, dto);
    const updated = await this.repo
      .update(scope, id, toColumns(dto) as QueryDeepPartialEntity<E>)
      .catch((err: unknown) => this.translateWriteError(err));
    if (!updated) throw AppError.notFound(this.entityType);
    return updated;
  }

  async remove(scope: Scope, id: string): Promise<void> {
    if (!(await this.repo.softDelete(scope, id))) throw AppError.notFound(this.entityType);
  }

  /** Hook for checks before an update (referenced entities exist, ...). */
  protected async beforeUpdate(_scope: Scope, _id: string, _dto: OnboardingInputDto): Promise<void> {}

  /** Hook mapping constraint violations to domain errors; rethrows anything else. */
  protected translateWriteError(err: unknown): never {
    throw err;
  }
}
