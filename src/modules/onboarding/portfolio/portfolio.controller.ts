import { Body, Controller, Delete, Get, Head, HttpCode, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ApiErrors } from '../../../common/http/api-errors.decorator';
import { IdParam, LEDGER_PATH, LedgerId, OrgId } from '../../../common/http/route-params';
import { ListQuery, Page } from '../../../common/pagination/list-query';
import { ApiListQuery, ListQueryPipe } from '../../../common/pagination/list-query.pipe';
import { CreatePortfolioDto, PortfolioDto, PortfolioPageDto, UpdatePortfolioDto } from '../dto/portfolio.dto';
import { toPortfolioDto } from '../onboarding.mapper';
import { sendCount } from '../send-count';
import { PortfolioService } from './portfolio.service';

@ApiTags('Portfolios')
@ApiErrors(400, 404)
@Controller(`${LEDGER_PATH}/portfolios`)
export class PortfolioController {
  constructor(private readonly portfolios: PortfolioService) {}

  @Post()
  @ApiOperation({ summary: 'Create portfolio' })
  @ApiCreatedResponse({ type: PortfolioDto })
  @ApiErrors(409)
  async create(@OrgId() org: string, @LedgerId() ledger: string, @Body() dto: CreatePortfolioDto): Promise<PortfolioDto> {
    return toPortfolioDto(await this.portfolios.create(org, ledger, dto));
  }

  @Get()
  @ApiOperation({ summary: 'List portfolios' })
  @ApiListQuery('page')
  @ApiOkResponse({ type: PortfolioPageDto })
  async list(@OrgId() org: string, @LedgerId() ledger: string, @Query(ListQueryPipe) q: ListQuery): Promise<Page<PortfolioDto>> {
    const items = await this.portfolios.list({ organizationId: org, ledgerId: ledger }, q);
    return { items: items.map(toPortfolioDto), page: q.page, limit: q.limit };
  }

  @Head('metrics/count')
  @ApiOperation({ summary: 'Count portfolios (X-Total-Count header)' })
  @ApiListQuery('page')
  @ApiNoContentResponse({ description: 'Count in the X-Total-Count header' })
  async count(@OrgId() org: string, @LedgerId() ledger: string, @Query(ListQueryPipe) q: ListQuery, @Res() reply: FastifyReply): Promise<void> {
    sendCount(reply, await this.portfolios.count({ organizationId: org, ledgerId: ledger }, q));
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get portfolio' })
  @ApiOkResponse({ type: PortfolioDto })
  async get(@OrgId() org: string, @LedgerId() ledger: string, @IdParam() id: string): Promise<PortfolioDto> {
    return toPortfolioDto(await this.portfolios.get({ organizationId: org, ledgerId: ledger }, id));
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Update portfolio' })
  @ApiOkResponse({ type: PortfolioDto })
  @ApiErrors(409)
  async update(@OrgId() org: string, @LedgerId() ledger: string, @IdParam() id: string, @Body() dto: UpdatePortfolioDto): Promise<PortfolioDto> {
    return toPortfolioDto(await this.portfolios.update({ organizationId: org, ledgerId: ledger }, id, dto));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete portfolio (soft delete)' })
  @ApiNoContentResponse({ description: 'Deleted' })
  async remove(@OrgId() org: string, @LedgerId() ledger: string, @IdParam() id: string): Promise<void> {
    await this.portfolios.remove({ organizationId: org, ledgerId: ledger }, id);
  }
}
