import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { OrganizationEntity } from '../entities';
import { ScopedRepository } from '../scoped.repository';

@Injectable()
export class OrganizationRepository extends ScopedRepository<OrganizationEntity> {
  constructor(@InjectRepository(OrganizationEntity) repo: Repository<OrganizationEntity>) {
    super(repo);
  }
}
