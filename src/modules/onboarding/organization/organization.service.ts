import { Injectable } from '@nestjs/common';
import { AppError } from '../../../common/errors/app-error';
import { newId } from '../../../common/ids';
import { ScopeService } from '../../scope/scope.service';
import { CreateOrganizationDto, UpdateOrganizationDto } from '../dto/organization.dto';
import { OrganizationEntity } from '../entities';
import { LedgerRepository } from '../ledger/ledger.repository';
import { OnboardingCrudService, toColumns } from '../onboarding-crud.service';
import { Scope } from '../scoped.repository';
import { OrganizationRepository } from './organization.repository';

@Injectable()
export class OrganizationService extends OnboardingCrudService<OrganizationEntity> {
  constructor(
    repo: OrganizationRepository,
    scopes: ScopeService,
    private readonly ledgers: LedgerRepository,
  ) {
    super(repo, scopes, 'Organization');
  }

  /** An organization is deleted only once it has no live ledger (their money would become unreachable). */
  override async remove(scope: Scope, id: string): Promise<void> {
    await this.get(scope, id);
    if (await this.ledgers.anyIn({ organizationId: id })) {
      throw new AppError('ORGANIZATION_HAS_LEDGERS', 'An organization can only be deleted once its ledgers are deleted.');
    }
    await super.remove(scope, id);
  }

  async create(dto: CreateOrganizationDto): Promise<OrganizationEntity> {
    if (dto.parentOrganizationId) await this.assertParent(dto.parentOrganizationId);
    return this.repo.insert({ id: newId(), ...toColumns(dto) } as Partial<OrganizationEntity>);
  }

  protected override async beforeUpdate(_scope: Scope, id: string, dto: UpdateOrganizationDto): Promise<void> {
    if (!dto.parentOrganizationId) return;
    if (dto.parentOrganizationId === id) {
      throw new AppError('BAD_REQUEST', 'An organization cannot be its own parent.', {
        fields: { parentOrganizationId: 'must differ from the organization id' },
      });
    }
    await this.assertParent(dto.parentOrganizationId);
  }

  private async assertParent(parentId: string): Promise<void> {
    if (!(await this.repo.findById({}, parentId))) {
      throw new AppError('PARENT_NOT_FOUND', 'The parent organization does not exist.', { entityType: 'Organization' });
    }
  }
}
