import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { AssetEntity } from '../entities';
import { ScopedRepository } from '../scoped.repository';

@Injectable()
export class AssetRepository extends ScopedRepository<AssetEntity> {
  constructor(@InjectRepository(AssetEntity) repo: Repository<AssetEntity>) {
    super(repo);
  }

  /**
   * Whether the live asset exists, locking its row in the caller's transaction: `share` while
   * an account of it is created, `update` while it is deleted (so neither misses the other).
   */
  async lockLiveByCode(ledgerId: string, code: string, mode: 'share' | 'update', manager: EntityManager): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      `SELECT id FROM assets WHERE ledger_id = $1 AND code = $2 AND deleted_at IS NULL FOR ${mode === 'share' ? 'SHARE' : 'UPDATE'}`,
      [ledgerId, code],
    );
    return rows.length > 0;
  }
}
