import { Injectable } from '@nestjs/common';
import { newId } from '../../../common/ids';
import { ScopeService } from '../../scope/scope.service';
import { CreatePortfolioDto } from '../dto/portfolio.dto';
import { PortfolioEntity } from '../entities';
import { OnboardingCrudService, toColumns } from '../onboarding-crud.service';
import { PortfolioRepository } from './portfolio.repository';

@Injectable()
export class PortfolioService extends OnboardingCrudService<PortfolioEntity> {
  constructor(repo: PortfolioRepository, scopes: ScopeService) {
    super(repo, scopes, 'Portfolio');
  }

  async create(organizationId: string, ledgerId: string, dto: CreatePortfolioDto): Promise<PortfolioEntity> {
    await this.scopes.assertLedger(organizationId, ledgerId);
    return this.repo.insert({ id: newId(), organizationId, ledgerId, ...toColumns(dto) } as Partial<PortfolioEntity>);
  }
}
