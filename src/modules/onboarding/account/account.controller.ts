import { Body, Controller, Delete, Get, Head, HttpCode, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ApiErrors } from '../../../common/http/api-errors.decorator';
import { IdParam, LEDGER_PATH, LedgerId, OrgId } from '../../../common/http/route-params';
import { ListQuery, Page } from '../../../common/pagination/list-query';
import { ApiListQuery, ListQueryPipe } from '../../../common/pagination/list-query.pipe';
import { AccountDto, AccountPageDto, CreateAccountDto, UpdateAccountDto } from '../dto/account.dto';
import { toAccountDto } from '../onboarding.mapper';
import { sendCount } from '../send-count';
import { AccountService } from './account.service';

@ApiTags('Accounts')
@ApiErrors(400, 404)
@Controller(`${LEDGER_PATH}/accounts`)
export class AccountController {
  constructor(private readonly accounts: AccountService) {}

  @Post()
  @ApiOperation({ summary: 'Create account' })
  @ApiCreatedResponse({ type: AccountDto })
  @ApiErrors(409)
  async create(@OrgId() org: string, @LedgerId() ledger: string, @Body() dto: CreateAccountDto): Promise<AccountDto> {
    return toAccountDto(await this.accounts.create(org, ledger, dto));
  }

  @Get()
  @ApiOperation({ summary: 'List accounts' })
  @ApiListQuery('page')
  @ApiOkResponse({ type: AccountPageDto })
  async list(@OrgId() org: string, @LedgerId() ledger: string, @Query(ListQueryPipe) q: ListQuery): Promise<Page<AccountDto>> {
    const items = await this.accounts.list({ organizationId: org, ledgerId: ledger }, q);
    return { items: items.map(toAccountDto), page: q.page, limit: q.limit };
  }

  @Head('metrics/count')
  @ApiOperation({ summary: 'Count accounts (X-Total-Count header)' })
  @ApiListQuery('page')
  @ApiNoContentResponse({ description: 'Count in the X-Total-Count header' })
  async count(@OrgId() org: string, @LedgerId() ledger: string, @Query(ListQueryPipe) q: ListQuery, @Res() reply: FastifyReply): Promise<void> {
    sendCount(reply, await this.accounts.count({ organizationId: org, ledgerId: ledger }, q));
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get account' })
  @ApiOkResponse({ type: AccountDto })
  async get(@OrgId() org: string, @LedgerId() ledger: string, @IdParam() id: string): Promise<AccountDto> {
    return toAccountDto(await this.accounts.get({ organizationId: org, ledgerId: ledger }, id));
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Update account' })
  @ApiOkResponse({ type: AccountDto })
  @ApiErrors(409)
  async update(@OrgId() org: string, @LedgerId() ledger: string, @IdParam() id: string, @Body() dto: UpdateAccountDto): Promise<AccountDto> {
    return toAccountDto(await this.accounts.update({ organizationId: org, ledgerId: ledger }, id, dto));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete account (soft delete)' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(422)
  async remove(@OrgId() org: string, @LedgerId() ledger: string, @IdParam() id: string): Promise<void> {
    await this.accounts.remove({ organizationId: org, ledgerId: ledger }, id);
  }
}
