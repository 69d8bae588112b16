import { Column, Entity } from 'typeorm';
import { LedgerScopedEntity } from './base.entity';

@Entity('portfolios')
export class PortfolioEntity extends LedgerScopedEntity {
  @Column({ type: 'text' })
  name: string;

  @Column({ name: 'entity_id', type: 'text', nullable: true })
  entityId: string | null;
}
