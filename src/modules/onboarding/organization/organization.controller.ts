import { Body, Controller, Delete, Get, Head, HttpCode, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { KeyOrganizations } from '../../../common/auth/auth.decorators';
import { ApiErrors } from '../../../common/http/api-errors.decorator';
import { OrgId } from '../../../common/http/route-params';
import { ListQuery, Page } from '../../../common/pagination/list-query';
import { ApiListQuery, ListQueryPipe } from '../../../common/pagination/list-query.pipe';
import { CreateOrganizationDto, OrganizationDto, OrganizationPageDto, UpdateOrganizationDto } from '../dto/organization.dto';
import { toOrganizationDto } from '../onboarding.mapper';
import { sendCount } from '../send-count';
import { OrganizationService } from './organization.service';

@ApiTags('Organizations')
@ApiErrors(400, 404)
@Controller('v1/organizations')
export class OrganizationController {
  constructor(private readonly organizations: OrganizationService) {}

  @Post()
  @ApiOperation({ summary: 'Create an organization' })
  @ApiCreatedResponse({ type: OrganizationDto })
  async create(@Body() dto: CreateOrganizationDto): Promise<OrganizationDto> {
    return toOrganizationDto(await this.organizations.create(dto));
  }

  @Get()
  @ApiOperation({ summary: 'List organizations' })
  @ApiListQuery('page')
  @ApiOkResponse({ type: OrganizationPageDto })
  async list(@Query(ListQueryPipe) q: ListQuery, @KeyOrganizations() ids?: string[]): Promise<Page<OrganizationDto>> {
    return { items: (await this.organizations.list({ ids }, q)).map(toOrganizationDto), page: q.page, limit: q.limit };
  }

  @Head('metrics/count')
  @ApiOperation({ summary: 'Count organizations (X-Total-Count header)' })
  @ApiNoContentResponse({ description: 'Count in the X-Total-Count header' })
  async count(@Query(ListQueryPipe) q: ListQuery, @Res() reply: FastifyReply, @KeyOrganizations() ids?: string[]): Promise<void> {
    sendCount(reply, await this.organizations.count({ ids }, q));
  }

  @Get(':organization_id')
  @ApiOperation({ summary: 'Get an organization' })
  @ApiOkResponse({ type: OrganizationDto })
  async get(@OrgId() id: string): Promise<OrganizationDto> {
    return toOrganizationDto(await this.organizations.get({}, id));
  }

  @Patch(':organization_id')
  @ApiOperation({ summary: 'Update an organization' })
  @ApiOkResponse({ type: OrganizationDto })
  async update(@OrgId() id: string, @Body() dto: UpdateOrganizationDto): Promise<OrganizationDto> {
    return toOrganizationDto(await this.organizations.update({}, id, dto));
  }

  @Delete(':organization_id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete an organization (soft delete; only once its ledgers are deleted)' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(422)
  async remove(@OrgId() id: string): Promise<void> {
    await this.organizations.remove({}, id);
  }
}
