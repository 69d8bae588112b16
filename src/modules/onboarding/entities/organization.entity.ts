import { Column, Entity } from 'typeorm';
import { OnboardingEntity } from './base.entity';

export interface Address {
  line1?: string;
  line2?: string;
  city?: string;
  state?: string;
  country?: string;
  zipCode?: string;
}

@Entity('organizations')
export class OrganizationEntity extends OnboardingEntity {
  @Column({ name: 'parent_organization_id', type: 'uuid', nullable: true })
  parentOrganizationId: string | null;

  @Column({ name: 'legal_name', type: 'text' })
  legalName: string;

  @Column({ name: 'doing_business_as', type: 'text', nullable: true })
  doingBusinessAs: string | null;

  @Column({ name: 'legal_document', type: 'text' })
  legalDocument: string;

  @Column({ type: 'jsonb', nullable: true })
  address: Address | null;
}
