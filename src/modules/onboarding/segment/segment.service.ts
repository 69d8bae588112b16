import { Injectable } from '@nestjs/common';
import { newId } from '../../../common/ids';
import { ScopeService } from '../../scope/scope.service';
import { CreateSegmentDto } from '../dto/segment.dto';
import { SegmentEntity } from '../entities';
import { OnboardingCrudService, toColumns } from '../onboarding-crud.service';
import { SegmentRepository } from './segment.repository';

@Injectable()
export class SegmentService extends OnboardingCrudService<SegmentEntity> {
  constructor(repo: SegmentRepository, scopes: ScopeService) {
    super(repo, scopes, 'Segment');
  }

  async create(organizationId: string, ledgerId: string, dto: CreateSegmentDto): Promise<SegmentEntity> {
    await this.scopes.assertLedger(organizationId, ledgerId);
    return this.repo.insert({ id: newId(), organizationId, ledgerId, ...toColumns(dto) } as Partial<SegmentEntity>);
  }
}
