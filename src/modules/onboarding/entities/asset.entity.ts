import { Column, Entity, Index } from 'typeorm';
import { LedgerScopedEntity } from './base.entity';

export const ASSET_TYPES = ['currency', 'crypto', 'commodity', 'others'] as const;

@Entity('assets')
@Index('assets_ledger_code_uq', ['ledgerId', 'code'], { unique: true, where: 'deleted_at IS NULL' })
export class AssetEntity extends LedgerScopedEntity {
  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text' })
  type: string;

  @Column({ type: 'text' })
  code: string;
}
