import { Controller, Get, Global, Header, Module } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { Public } from '../../common/auth/auth.decorators';
import { HttpMetrics } from './http-metrics';
import { PoolMetrics } from './pool-metrics';

@ApiTags('Metrics')
@Controller()
export class MetricsController {
  constructor(private readonly registry: Registry) {}

  @Get('metrics')
  @Public('METRICS_PUBLIC')
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  @ApiOperation({ summary: 'Prometheus metrics (text exposition format)' })
  @ApiOkResponse({ description: 'Metrics in the Prometheus text format', schema: { type: 'string' } })
  metrics(): Promise<string> {
    return this.registry.metrics();
  }
}

/**
 * One Prometheus registry per application instance (tests start several in one process).
 * Feature modules inject `Registry` and register their own counters and histograms.
 */
@Global()
@Module({
  controllers: [MetricsController],
  providers: [
    {
      provide: Registry,
      useFactory: () => {
        const registry = new Registry();
        collectDefaultMetrics({ register: registry, prefix: 'ledger_' });
        return registry;
      },
    },
    HttpMetrics,
    PoolMetrics,
  ],
  exports: [Registry, HttpMetrics],
})
export class MetricsModule {}
