import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Query } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '../../common/auth/auth.decorators';
import { ApiErrors } from '../../common/http/api-errors.decorator';
import { IdParam, LEDGER_PATH, LedgerId, OrgId } from '../../common/http/route-params';
import { ListQuery } from '../../common/pagination/list-query';
import { ApiListQuery, ListQueryPipe } from '../../common/pagination/list-query.pipe';
import { CursorPage } from '../../common/pagination/list-query';
import { toBalanceDto } from './balance.mapper';
import { BalanceService } from './balance.service';
import { BalanceDto, BalancePageDto, UpdateBalanceDto } from './dto/balance.dto';

@ApiTags('Balances')
@ApiErrors(400, 404)
@Controller(LEDGER_PATH)
export class BalanceController {
  constructor(private readonly balances: BalanceService) {}

  @Get('balances')
  @ApiOperation({ summary: 'List the balances of a ledger' })
  @ApiListQuery('cursor')
  @ApiOkResponse({ type: BalancePageDto })
  list(@OrgId() org: string, @LedgerId() ledger: string, @Query(ListQueryPipe) q: ListQuery): Promise<CursorPage<BalanceDto>> {
    return this.balances.list(org, ledger, q);
  }

  @Get('balances/:balance_id')
  @ApiOperation({ summary: 'Get a balance' })
  @ApiOkResponse({ type: BalanceDto })
  async get(@OrgId() org: string, @LedgerId() ledger: string, @IdParam('balance_id') id: string): Promise<BalanceDto> {
    return toBalanceDto(await this.balances.get(org, ledger, id));
  }

  @Patch('balances/:balance_id')
  @ApiOperation({ summary: 'Allow or block sending and receiving on a balance' })
  @ApiOkResponse({ type: BalanceDto })
  @ApiErrors(422)
  async update(
    @OrgId() org: string,
    @LedgerId() ledger: string,
    @IdParam('balance_id') id: string,
    @Body() dto: UpdateBalanceDto,
  ): Promise<BalanceDto> {
    return toBalanceDto(await this.balances.update(org, ledger, id, dto));
  }

  @Delete('balances/:balance_id')
  @AdminOnly()
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a balance (only when available and on-hold are zero)' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(422)
  remove(@OrgId() org: string, @LedgerId() ledger: string, @IdParam('balance_id') id: string): Promise<void> {
    return this.balances.remove(org, ledger, id);
  }

  @Get('accounts/:account_id/balances')
  @ApiOperation({ summary: 'List the balances of an account' })
  @ApiListQuery('cursor')
  @ApiOkResponse({ type: BalancePageDto })
  listForAccount(
    @OrgId() org: string,
    @LedgerId() ledger: string,
    @IdParam('account_id') accountId: string,
    @Query(ListQueryPipe) q: ListQuery,
  ): Promise<CursorPage<BalanceDto>> {
    return this.balances.listForAccount(org, ledger, accountId, q);
  }

  @Get('accounts/alias/:alias/balances')
  @ApiOperation({ summary: 'List the balances of an account by alias' })
  @ApiListQuery('cursor')
  @ApiOkResponse({ type: BalancePageDto })
  listForAlias(
    @OrgId() org: string,
    @LedgerId() ledger: string,
    @Param('alias') alias: string,
    @Query(ListQueryPipe) q: ListQuery,
  ): Promise<CursorPage<BalanceDto>> {
    return this.balances.listForAlias(org, ledger, alias, q);
  }

  @Get('accounts/external/:code/balances')
  @ApiOperation({ summary: 'List the balances of the external account of an asset' })
  @ApiListQuery('cursor')
  @ApiOkResponse({ type: BalancePageDto })
  listForExternal(
    @OrgId() org: string,
    @LedgerId() ledger: string,
    @Param('code') code: string,
    @Query(ListQueryPipe) q: ListQuery,
  ): Promise<CursorPage<BalanceDto>> {
    return this.balances.listForExternal(org, ledger, code, q);
  }
}
