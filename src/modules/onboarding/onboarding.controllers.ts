import { Body, Controller, Delete, Get, Head, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { KeyOrganizations } from '../../common/auth/auth.decorators';
import { ApiErrors } from '../../common/http/api-errors.decorator';
import { IdParam, LEDGER_PATH, LedgerId, OrgId } from '../../common/http/route-params';
import { ListQuery, Page } from '../../common/pagination/list-query';
import { ApiListQuery, ListQueryPipe } from '../../common/pagination/list-query.pipe';
import { AccountDto, CreateAccountDto, UpdateAccountDto } from './dto/account.dto';
import { AssetDto, CreateAssetDto, UpdateAssetDto } from './dto/asset.dto';
import { CreateLedgerDto, LedgerDto, UpdateLedgerDto } from './dto/ledger.dto';
import { CreateOrganizationDto, OrganizationDto, UpdateOrganizationDto } from './dto/organization.dto';
import { CreatePortfolioDto, PortfolioDto, UpdatePortfolioDto } from './dto/portfolio.dto';
import { CreateSegmentDto, SegmentDto, UpdateSegmentDto } from './dto/segment.dto';
import { ledgerScopedController, sendCount } from './ledger-scoped.controller';
import {
  toAccountDto,
  toAssetDto,
  toLedgerDto,
  toOrganizationDto,
  toPortfolioDto,
  toSegmentDto,
} from './onboarding.mapper';
import { AccountService, AssetService, LedgerService, OrganizationService, PortfolioService, SegmentService } from './onboarding.services';

class OrganizationPageDto {
  @ApiProperty({ type: [OrganizationDto] }) items: OrganizationDto[];
  @ApiProperty({ example: 1 }) page: number;
  @ApiProperty({ example: 10 }) limit: number;
}

class LedgerPageDto {
  @ApiProperty({ type: [LedgerDto] }) items: LedgerDto[];
  @ApiProperty({ example: 1 }) page: number;
  @ApiProperty({ example: 10 }) limit: number;
}

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

export const AssetController = ledgerScopedController({
  path: 'assets',
  name: 'Asset',
  service: AssetService,
  createDto: CreateAssetDto,
  updateDto: UpdateAssetDto,
  responseDto: AssetDto,
  toDto: toAssetDto,
});

export const AccountController = ledgerScopedController({
  path: 'accounts',
  name: 'Account',
  service: AccountService,
  createDto: CreateAccountDto,
  updateDto: UpdateAccountDto,
  responseDto: AccountDto,
  toDto: toAccountDto,
  deleteErrors: [422],
});

export const PortfolioController = ledgerScopedController({
  path: 'portfolios',
  name: 'Portfolio',
  service: PortfolioService,
  createDto: CreatePortfolioDto,
  updateDto: UpdatePortfolioDto,
  responseDto: PortfolioDto,
  toDto: toPortfolioDto,
});

export const SegmentController = ledgerScopedController({
  path: 'segments',
  name: 'Segment',
  service: SegmentService,
  createDto: CreateSegmentDto,
  updateDto: UpdateSegmentDto,
  responseDto: SegmentDto,
  toDto: toSegmentDto,
});

@ApiTags('Accounts')
@ApiErrors(400, 404)
@Controller(`${LEDGER_PATH}/accounts`)
export class AccountLookupController {
  constructor(private readonly accounts: AccountService) {}

  @Get('alias/:alias')
  @ApiOperation({ summary: 'Get an account by alias' })
  @ApiOkResponse({ type: AccountDto })
  async byAlias(@OrgId() org: string, @LedgerId() ledger: string, @Param('alias') alias: string): Promise<AccountDto> {
    return toAccountDto(await this.accounts.getByAlias(org, ledger, alias));
  }

  @Get('external/:code')
  @ApiOperation({ summary: 'Get the external account of an asset (@external/{code})' })
  @ApiOkResponse({ type: AccountDto })
  async external(@OrgId() org: string, @LedgerId() ledger: string, @Param('code') code: string): Promise<AccountDto> {
    return toAccountDto(await this.accounts.getExternal(org, ledger, code));
  }
}
