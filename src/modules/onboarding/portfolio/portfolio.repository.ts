import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { PortfolioEntity } from '../entities';
import { ScopedRepository } from '../scoped.repository';

@Injectable()
export class PortfolioRepository extends ScopedRepository<PortfolioEntity> {
  constructor(@InjectRepository(PortfolioEntity) repo: Repository<PortfolioEntity>) {
    super(repo);
  }
}
