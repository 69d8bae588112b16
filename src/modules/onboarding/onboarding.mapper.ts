import { AccountDto } from './dto/account.dto';
import { AssetDto } from './dto/asset.dto';
import { LedgerDto } from './dto/ledger.dto';
import { OrganizationDto } from './dto/organization.dto';
import { PortfolioDto } from './dto/portfolio.dto';
import { SegmentDto } from './dto/segment.dto';
import { AccountEntity, AssetEntity, LedgerEntity, OrganizationEntity, PortfolioEntity, SegmentEntity } from './entities';
import { OnboardingEntity } from './entities/base.entity';

function common(e: OnboardingEntity) {
  return {
    id: e.id,
    status: { code: e.statusCode, description: e.statusDescription },
    metadata: e.metadata ?? {},
    createdAt: e.createdAt.toISOString(),
    updatedAt: e.updatedAt.toISOString(),
    deletedAt: e.deletedAt ? e.deletedAt.toISOString() : null,
  };
}

export const toOrganizationDto = (e: OrganizationEntity): OrganizationDto => ({
  ...common(e),
  parentOrganizationId: e.parentOrganizationId,
  legalName: e.legalName,
  doingBusinessAs: e.doingBusinessAs,
  legalDocument: e.legalDocument,
  address: e.address,
});

export const toLedgerDto = (e: LedgerEntity): LedgerDto => ({
  ...common(e),
  organizationId: e.organizationId,
  name: e.name,
});

export const toAssetDto = (e: AssetEntity): AssetDto => ({
  ...common(e),
  organizationId: e.organizationId,
  ledgerId: e.ledgerId,
  name: e.name,
  type: e.type,
  code: e.code,
});

export const toAccountDto = (e: AccountEntity): AccountDto => ({
  ...common(e),
  organizationId: e.organizationId,
  ledgerId: e.ledgerId,
  assetCode: e.assetCode,
  name: e.name,
  alias: e.alias,
  type: e.type,
  parentAccountId: e.parentAccountId,
  portfolioId: e.portfolioId,
  segmentId: e.segmentId,
  entityId: e.entityId,
  blocked: e.blocked,
});

export const toPortfolioDto = (e: PortfolioEntity): PortfolioDto => ({
  ...common(e),
  organizationId: e.organizationId,
  ledgerId: e.ledgerId,
  name: e.name,
  entityId: e.entityId,
});

export const toSegmentDto = (e: SegmentEntity): SegmentDto => ({
  ...common(e),
  organizationId: e.organizationId,
  ledgerId: e.ledgerId,
  name: e.name,
});
