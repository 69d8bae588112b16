import { Body, Controller, Delete, Get, Head, HttpCode, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ApiErrors } from '../../../common/http/api-errors.decorator';
import { IdParam, LEDGER_PATH, LedgerId, OrgId } from '../../../common/http/route-params';
import { ListQuery, Page } from '../../../common/pagination/list-query';
import { ApiListQuery, ListQueryPipe } from '../../../common/pagination/list-query.pipe';
import { AssetDto, AssetPageDto, CreateAssetDto, UpdateAssetDto } from '../dto/asset.dto';
import { toAssetDto } from '../onboarding.mapper';
import { sendCount } from '../send-count';
import { AssetService } from './asset.service';

@ApiTags('Assets')
@ApiErrors(400, 404)
@Controller(`${LEDGER_PATH}/assets`)
export class AssetController {
  constructor(private readonly assets: AssetService) {}

  @Post()
  @ApiOperation({ summary: 'Create asset' })
  @ApiCreatedResponse({ type: AssetDto })
  @ApiErrors(409)
  async create(@OrgId() org: string, @LedgerId() ledger: string, @Body() dto: CreateAssetDto): Promise<AssetDto> {
    return toAssetDto(await this.assets.create(org, ledger, dto));
  }

  @Get()
  @ApiOperation({ summary: 'List assets' })
  @ApiListQuery('page')
  @ApiOkResponse({ type: AssetPageDto })
  async list(@OrgId() org: string, @LedgerId() ledger: string, @Query(ListQueryPipe) q: ListQuery): Promise<Page<AssetDto>> {
    const items = await this.assets.list({ organizationId: org, ledgerId: ledger }, q);
    return { items: items.map(toAssetDto), page: q.page, limit: q.limit };
  }

  @Head('metrics/count')
  @ApiOperation({ summary: 'Count assets (X-Total-Count header)' })
  @ApiListQuery('page')
  @ApiNoContentResponse({ description: 'Count in the X-Total-Count header' })
  async count(@OrgId() org: string, @LedgerId() ledger: string, @Query(ListQueryPipe) q: ListQuery, @Res() reply: FastifyReply): Promise<void> {
    sendCount(reply, await this.assets.count({ organizationId: org, ledgerId: ledger }, q));
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get asset' })
  @ApiOkResponse({ type: AssetDto })
  async get(@OrgId() org: string, @LedgerId() ledger: string, @IdParam() id: string): Promise<AssetDto> {
    return toAssetDto(await this.assets.get({ organizationId: org, ledgerId: ledger }, id));
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Update asset' })
  @ApiOkResponse({ type: AssetDto })
  @ApiErrors(409)
  async update(@OrgId() org: string, @LedgerId() ledger: string, @IdParam() id: string, @Body() dto: UpdateAssetDto): Promise<AssetDto> {
    return toAssetDto(await this.assets.update({ organizationId: org, ledgerId: ledger }, id, dto));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete asset (soft delete)' })
  @ApiNoContentResponse({ description: 'Deleted' })
  async remove(@OrgId() org: string, @LedgerId() ledger: string, @IdParam() id: string): Promise<void> {
    await this.assets.remove({ organizationId: org, ledgerId: ledger }, id);
  }
}
