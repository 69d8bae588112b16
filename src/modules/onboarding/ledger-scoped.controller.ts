import { Body, Controller, Delete, Get, Head, HttpCode, Inject, Patch, Post, Query, Res, Type } from '@nestjs/common';
import {
  ApiBody,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ApiErrors } from '../../common/http/api-errors.decorator';
import { IdParam, LEDGER_PATH, LedgerId, OrgId } from '../../common/http/route-params';
import { createValidationPipe } from '../../common/http/validation';
import { ListQuery, Page } from '../../common/pagination/list-query';
import { ApiListQuery, ListQueryPipe } from '../../common/pagination/list-query.pipe';
import { OnboardingInputDto } from './dto/base-input.dto';
import { LedgerScopedEntity } from './entities/base.entity';
import { OnboardingCrudService } from './onboarding-crud.service';

export interface LedgerScopedService<E extends LedgerScopedEntity, C> extends OnboardingCrudService<E> {
  create(organizationId: string, ledgerId: string, dto: C): Promise<E>;
}

export interface LedgerScopedResource<E extends LedgerScopedEntity, C, U, R> {
  /** Plural path segment, e.g. "assets". */
  path: string;
  /** Swagger tag and entity name, e.g. "Asset". */
  name: string;
  service: Type<LedgerScopedService<E, C>>;
  createDto: Type<C>;
  updateDto: Type<U>;
  responseDto: Type<R>;
  toDto: (e: E) => R;
  /** Error statuses DELETE may answer beyond 400 and 404 (e.g. 422 for an account holding money). */
  deleteErrors?: number[];
}

/** Sends the count of a list as X-Total-Count on a 204 (Midaz `HEAD .../metrics/count`). */
export function sendCount(reply: FastifyReply, count: number): void {
  void reply.status(204).header('X-Total-Count', String(count)).send();
}

/**
 * Builds the CRUD controller of a ledger-scoped onboarding entity (assets, accounts,
 * portfolios, segments): create, get, patch, list, soft delete and count, with Swagger docs.
 */
export function ledgerScopedController<E extends LedgerScopedEntity, C extends OnboardingInputDto, U extends OnboardingInputDto, R>(
  r: LedgerScopedResource<E, C, U, R>,
) {
  class PageDto {
    @ApiProperty({ type: [r.responseDto] }) items: R[];
    @ApiProperty({ example: 1 }) page: number;
    @ApiProperty({ example: 10 }) limit: number;
  }
  Object.defineProperty(PageDto, 'name', { value: `${r.name}PageDto` });

  @ApiTags(`${r.name}s`)
  @ApiExtraModels(r.createDto, r.updateDto, r.responseDto)
  @ApiErrors(400, 404)
  @Controller(`${LEDGER_PATH}/${r.path}`)
  class LedgerScopedController {
    constructor(@Inject(r.service) readonly service: LedgerScopedService<E, C>) {}

    @Post()
    @ApiOperation({ summary: `Create ${r.name.toLowerCase()}` })
    @ApiBody({ type: r.createDto })
    @ApiCreatedResponse({ type: r.responseDto })
    @ApiErrors(409)
    async create(
      @OrgId() org: string,
      @LedgerId() ledger: string,
      @Body(createValidationPipe(r.createDto)) dto: C,
    ): Promise<R> {
      return r.toDto(await this.service.create(org, ledger, dto));
    }

    @Get()
    @ApiOperation({ summary: `List ${r.path}` })
    @ApiListQuery('page')
    @ApiOkResponse({ type: PageDto })
    async list(@OrgId() org: string, @LedgerId() ledger: string, @Query(ListQueryPipe) q: ListQuery): Promise<Page<R>> {
      const items = await this.service.list({ organizationId: org, ledgerId: ledger }, q);
      return { items: items.map(r.toDto), page: q.page, limit: q.limit };
    }

    @Head('metrics/count')
    @ApiOperation({ summary: `Count ${r.path} (X-Total-Count header)` })
    @ApiListQuery('page')
    @ApiNoContentResponse({ description: 'Count in the X-Total-Count header' })
    async count(
      @OrgId() org: string,
      @LedgerId() ledger: string,
      @Query(ListQueryPipe) q: ListQuery,
      @Res() reply: FastifyReply,
    ): Promise<void> {
      sendCount(reply, await this.service.count({ organizationId: org, ledgerId: ledger }, q));
    }

    @Get(':id')
    @ApiOperation({ summary: `Get ${r.name.toLowerCase()}` })
    @ApiOkResponse({ type: r.responseDto })
    async get(@OrgId() org: string, @LedgerId() ledger: string, @IdParam() id: string): Promise<R> {
      return r.toDto(await this.service.get({ organizationId: org, ledgerId: ledger }, id));
    }

    @Patch(':id')
    @ApiOperation({ summary: `Update ${r.name.toLowerCase()}` })
    @ApiBody({ type: r.updateDto })
    @ApiOkResponse({ type: r.responseDto })
    @ApiErrors(409)
    async update(
      @OrgId() org: string,
      @LedgerId() ledger: string,
      @IdParam() id: string,
      @Body(createValidationPipe(r.updateDto)) dto: U,
    ): Promise<R> {
      return r.toDto(await this.service.update({ organizationId: org, ledgerId: ledger }, id, dto));
    }

    @Delete(':id')
    @HttpCode(204)
    @ApiOperation({ summary: `Delete ${r.name.toLowerCase()} (soft delete)` })
    @ApiNoContentResponse({ description: 'Deleted' })
    @ApiErrors(...(r.deleteErrors ?? []))
    async remove(@OrgId() org: string, @LedgerId() ledger: string, @IdParam() id: string): Promise<void> {
      await this.service.remove({ organizationId: org, ledgerId: ledger }, id);
    }
  }
  Object.defineProperty(LedgerScopedController, 'name', { value: `${r.name}Controller` });
  return LedgerScopedController;
}
