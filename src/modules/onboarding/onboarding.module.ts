import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { BalanceModule } from '../balance/balance.module';
import { AccountLookupController } from './account/account-lookup.controller';
import { AccountController } from './account/account.controller';
import { AccountRepository } from './account/account.repository';
import { AccountService } from './account/account.service';
import { AssetController } from './asset/asset.controller';
import { AssetRepository } from './asset/asset.repository';
import { AssetService } from './asset/asset.service';
import { ONBOARDING_ENTITIES } from './entities';
import { LedgerController } from './ledger/ledger.controller';
import { LedgerRepository } from './ledger/ledger.repository';
import { LedgerService } from './ledger/ledger.service';
import { OrganizationController } from './organization/organization.controller';
import { OrganizationRepository } from './organization/organization.repository';
import { OrganizationService } from './organization/organization.service';
import { PortfolioController } from './portfolio/portfolio.controller';
import { PortfolioRepository } from './portfolio/portfolio.repository';
import { PortfolioService } from './portfolio/portfolio.service';
import { SegmentController } from './segment/segment.controller';
import { SegmentRepository } from './segment/segment.repository';
import { SegmentService } from './segment/segment.service';

/** Organizations, ledgers, assets, accounts, portfolios and segments (Midaz onboarding). */
@Module({
  imports: [TypeOrmModule.forFeature(ONBOARDING_ENTITIES), BalanceModule],
  controllers: [
    OrganizationController,
    LedgerController,
    AccountLookupController,
    AssetController,
    AccountController,
    PortfolioController,
    SegmentController,
  ],
  providers: [
    OrganizationRepository,
    LedgerRepository,
    AssetRepository,
    AccountRepository,
    PortfolioRepository,
    SegmentRepository,
    OrganizationService,
    LedgerService,
    AssetService,
    AccountService,
    PortfolioService,
    SegmentService,
  ],
})
export class OnboardingModule {}
