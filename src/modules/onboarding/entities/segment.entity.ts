import { Column, Entity } from 'typeorm';
import { LedgerScopedEntity } from './base.entity';

@Entity('segments')
export class SegmentEntity extends LedgerScopedEntity {
  @Column({ type: 'text' })
  name: string;
}
