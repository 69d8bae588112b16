import { Column, Entity, Index } from 'typeorm';
import { LedgerScopedEntity } from './base.entity';

@Entity('accounts')
@Index('accounts_ledger_alias_uq', ['ledgerId', 'alias'], { unique: true, where: 'deleted_at IS NULL' })
export class AccountEntity extends LedgerScopedEntity {
  @Column({ name: 'asset_code', type: 'text' })
  assetCode: string;

  @Column({ type: 'text', nullable: true })
  name: string | null;

  @Column({ type: 'text' })
  alias: string;

  @Column({ type: 'text' })
  type: string;

  @Column({ name: 'parent_account_id', type: 'uuid', nullable: true })
  parentAccountId: string | null;

  @Column({ name: 'portfolio_id', type: 'uuid', nullable: true })
  portfolioId: string | null;

  @Column({ name: 'segment_id', type: 'uuid', nullable: true })
  segmentId: string | null;

  @Column({ name: 'entity_id', type: 'text', nullable: true })
  entityId: string | null;

  @Column({ type: 'boolean', default: false })
  blocked: boolean;
}
