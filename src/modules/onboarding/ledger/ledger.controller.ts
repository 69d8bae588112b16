import { Body, Controller, Delete, Get, Head, HttpCode, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ApiErrors } from '../../../common/http/api-errors.decorator';
import { LedgerId, OrgId } from '../../../common/http/route-params';
import { ListQuery, Page } from '../../../common/pagination/list-query';
import { ApiListQuery, ListQueryPipe } from '../../../common/pagination/list-query.pipe';
import { CreateLedgerDto, LedgerDto, LedgerPageDto, UpdateLedgerDto } from '../dto/ledger.dto';
import { toLedgerDto } from '../onboarding.mapper';
import { sendCount } from '../send-count';
import { LedgerService } from './ledger.service';

@ApiTags('Ledgers')
@ApiErrors(400, 404)
@Controller('v1/organizations/:organization_id/ledgers')
export class LedgerController {
  constructor(private readonly ledgers: LedgerService) {}

  @Post()
  @ApiOperation({ summary: 'Create a ledger' })
  @ApiCreatedResponse({ type: LedgerDto })
  @ApiErrors(409)
  async create(@OrgId() org: string, @Body() dto: CreateLedgerDto): Promise<LedgerDto> {
    return toLedgerDto(await this.ledgers.create(org, dto));
  }

  @Get()
  @ApiOperation({ summary: 'List the ledgers of an organization' })
  @ApiListQuery('page')
  @ApiOkResponse({ type: LedgerPageDto })
  async list(@OrgId() org: string, @Query(ListQueryPipe) q: ListQuery): Promise<Page<LedgerDto>> {
    return { items: (await this.ledgers.list({ organizationId: org }, q)).map(toLedgerDto), page: q.page, limit: q.limit };
  }

  @Head('metrics/count')
  @ApiOperation({ summary: 'Count ledgers (X-Total-Count header)' })
  @ApiNoContentResponse({ description: 'Count in the X-Total-Count header' })
  async count(@OrgId() org: string, @Query(ListQueryPipe) q: ListQuery, @Res() reply: FastifyReply): Promise<void> {
    sendCount(reply, await this.ledgers.count({ organizationId: org }, q));
  }

  @Get(':ledger_id')
  @ApiOperation({ summary: 'Get a ledger' })
  @ApiOkResponse({ type: LedgerDto })
  async get(@OrgId() org: string, @LedgerId() id: string): Promise<LedgerDto> {
    return toLedgerDto(await this.ledgers.get({ organizationId: org }, id));
  }

  @Patch(':ledger_id')
  @ApiOperation({ summary: 'Update a ledger' })
  @ApiOkResponse({ type: LedgerDto })
  @ApiErrors(409)
  async update(@OrgId() org: string, @LedgerId() id: string, @Body() dto: UpdateLedgerDto): Promise<LedgerDto> {
    return toLedgerDto(await this.ledgers.update({ organizationId: org }, id, dto));
  }

  @Delete(':ledger_id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a ledger with its balances (soft delete; only when every balance is zero)' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(422)
  async remove(@OrgId() org: string, @LedgerId() id: string): Promise<void> {
    await this.ledgers.remove({ organizationId: org }, id);
  }
}
