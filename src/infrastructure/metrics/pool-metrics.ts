import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Gauge, Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { pgPool } from '../database/pg-pool';

/** Postgres pool usage, read from the pg pool at each scrape. */
@Injectable()
export class PoolMetrics {
  constructor(registry: Registry, @InjectDataSource() dataSource: DataSource) {
    new Gauge({
      name: 'ledger_db_pool_connections',
      help: 'Postgres pool: open connections (total), idle ones, and requests waiting for one',
      labelNames: ['state'],
      registers: [registry],
      collect() {
        let pool;
        try {
          pool = pgPool(dataSource);
        } catch {
          return; // not connected yet
        }
        this.set({ state: 'total' }, pool.totalCount);
        this.set({ state: 'idle' }, pool.idleCount);
        this.set({ state: 'waiting' }, pool.waitingCount);
      },
    });
    new Gauge({
      name: 'ledger_db_pool_max',
      help: 'Postgres pool: most connections it may open (DB_POOL_SIZE)',
      registers: [registry],
      collect() {
        try {
          this.set(pgPool(dataSource).options.max ?? 0);
        } catch {
          // not connected yet
        }
      },
    });
  }
}
