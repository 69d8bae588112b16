import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../../common/http/api-errors.decorator';
import { LEDGER_PATH, LedgerId, OrgId } from '../../../common/http/route-params';
import { AccountDto } from '../dto/account.dto';
import { toAccountDto } from '../onboarding.mapper';
import { AccountService } from './account.service';

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
