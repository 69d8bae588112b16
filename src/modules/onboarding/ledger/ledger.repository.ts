import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { LedgerEntity } from '../entities';
import { ScopedRepository } from '../scoped.repository';

@Injectable()
export class LedgerRepository extends ScopedRepository<LedgerEntity> {
  constructor(@InjectRepository(LedgerEntity) repo: Repository<LedgerEntity>) {
    super(repo);
  }
}
