import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { SegmentEntity } from '../entities';
import { ScopedRepository } from '../scoped.repository';

@Injectable()
export class SegmentRepository extends ScopedRepository<SegmentEntity> {
  constructor(@InjectRepository(SegmentEntity) repo: Repository<SegmentEntity>) {
    super(repo);
  }
}
