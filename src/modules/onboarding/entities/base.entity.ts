import { Column, CreateDateColumn, DeleteDateColumn, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** Columns every onboarding entity has (Midaz common shape). */
export abstract class OnboardingEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'status_code', type: 'text', default: 'ACTIVE' })
  statusCode: string;

  @Column({ name: 'status_description', type: 'text', nullable: true })
  statusDescription: string | null;

  @Column({ type: 'jsonb', default: {} })
  metadata: Record<string, unknown>;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @DeleteDateColumn({ name: 'deleted_at', type: 'timestamptz', nullable: true })
  deletedAt: Date | null;
}

/** Entities that live inside a ledger. */
export abstract class LedgerScopedEntity extends OnboardingEntity {
  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @Column({ name: 'ledger_id', type: 'uuid' })
  ledgerId: string;
}
