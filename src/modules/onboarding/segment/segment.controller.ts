import { Body, Controller, Delete, Get, Head, HttpCode, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ApiErrors } from '../../../common/http/api-errors.decorator';
import { IdParam, LEDGER_PATH, LedgerId, OrgId } from '../../../common/http/route-params';
import { ListQuery, Page } from '../../../common/pagination/list-query';
import { ApiListQuery, ListQueryPipe } from '../../../common/pagination/list-query.pipe';
import { CreateSegmentDto, SegmentDto, SegmentPageDto, UpdateSegmentDto } from '../dto/segment.dto';
import { toSegmentDto } from '../onboarding.mapper';
import { sendCount } from '../send-count';
import { SegmentService } from './segment.service';

@ApiTags('Segments')
@ApiErrors(400, 404)
@Controller(`${LEDGER_PATH}/segments`)
export class SegmentController {
  constructor(private readonly segments: SegmentService) {}

  @Post()
  @ApiOperation({ summary: 'Create segment' })
  @ApiCreatedResponse({ type: SegmentDto })
  @ApiErrors(409)
  async create(@OrgId() org: string, @LedgerId() ledger: string, @Body() dto: CreateSegmentDto): Promise<SegmentDto> {
    return toSegmentDto(await this.segments.create(org, ledger, dto));
  }

  @Get()
  @ApiOperation({ summary: 'List segments' })
  @ApiListQuery('page')
  @ApiOkResponse({ type: SegmentPageDto })
  async list(@OrgId() org: string, @LedgerId() ledger: string, @Query(ListQueryPipe) q: ListQuery): Promise<Page<SegmentDto>> {
    const items = await this.segments.list({ organizationId: org, ledgerId: ledger }, q);
    return { items: items.map(toSegmentDto), page: q.page, limit: q.limit };
  }

  @Head('metrics/count')
  @ApiOperation({ summary: 'Count segments (X-Total-Count header)' })
  @ApiListQuery('page')
  @ApiNoContentResponse({ description: 'Count in the X-Total-Count header' })
  async count(@OrgId() org: string, @LedgerId() ledger: string, @Query(ListQueryPipe) q: ListQuery, @Res() reply: FastifyReply): Promise<void> {
    sendCount(reply, await this.segments.count({ organizationId: org, ledgerId: ledger }, q));
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get segment' })
  @ApiOkResponse({ type: SegmentDto })
  async get(@OrgId() org: string, @LedgerId() ledger: string, @IdParam() id: string): Promise<SegmentDto> {
    return toSegmentDto(await this.segments.get({ organizationId: org, ledgerId: ledger }, id));
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Update segment' })
  @ApiOkResponse({ type: SegmentDto })
  @ApiErrors(409)
  async update(@OrgId() org: string, @LedgerId() ledger: string, @IdParam() id: string, @Body() dto: UpdateSegmentDto): Promise<SegmentDto> {
    return toSegmentDto(await this.segments.update({ organizationId: org, ledgerId: ledger }, id, dto));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete segment (soft delete)' })
  @ApiNoContentResponse({ description: 'Deleted' })
  async remove(@OrgId() org: string, @LedgerId() ledger: string, @IdParam() id: string): Promise<void> {
    await this.segments.remove({ organizationId: org, ledgerId: ledger }, id);
  }
}
