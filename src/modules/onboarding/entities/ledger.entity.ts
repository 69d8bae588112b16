import { Column, Entity, Index } from 'typeorm';
import { OnboardingEntity } from './base.entity';

@Entity('ledgers')
@Index('ledgers_org_name_uq', ['organizationId', 'name'], { unique: true, where: 'deleted_at IS NULL' })
export class LedgerEntity extends OnboardingEntity {
  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @Column({ type: 'text' })
  name: string;
}
