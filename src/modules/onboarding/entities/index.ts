import { AccountEntity } from './account.entity';
import { AssetEntity } from './asset.entity';
import { LedgerEntity } from './ledger.entity';
import { OrganizationEntity } from './organization.entity';
import { PortfolioEntity } from './portfolio.entity';
import { SegmentEntity } from './segment.entity';

export { AccountEntity, AssetEntity, LedgerEntity, OrganizationEntity, PortfolioEntity, SegmentEntity };

export const ONBOARDING_ENTITIES = [
  OrganizationEntity,
  LedgerEntity,
  AssetEntity,
  AccountEntity,
  PortfolioEntity,
  SegmentEntity,
];
