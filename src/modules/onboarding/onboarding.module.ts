import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { BalanceModule } from '../balance/balance.module';
import { ONBOARDING_ENTITIES } from './entities';
import {
  AccountController,
  AccountLookupController,
  AssetController,
  LedgerController,
  OrganizationController,
  PortfolioController,
  SegmentController,
} from './onboarding.controllers';
import {
  AccountRepository,
  AssetRepository,
  LedgerRepository,
  OrganizationRepository,
  PortfolioRepository,
  SegmentRepository,
} from './onboarding.repositories';
import { AccountService, AssetService, LedgerService, OrganizationService, PortfolioService, SegmentService } from './onboarding.services';

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
