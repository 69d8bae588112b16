import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckResult, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { Public } from '../../common/auth/auth.decorators';
import { RedisHealthIndicator } from './redis.health';
import { APP_VERSION } from './version';

class LivenessDto {
  @ApiProperty({ example: 'ok' }) status: string;
}

class VersionDto {
  @ApiProperty({ example: 'ledger-service' }) name: string;
  @ApiProperty({ example: '0.1.0' }) version: string;
  @ApiProperty({ example: 'v20.20.2' }) node: string;
}

@ApiTags('Health')
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly redis: RedisHealthIndicator,
  ) {}

  @Get('health')
  @Public()
  @ApiOperation({ summary: 'Liveness: the process answers' })
  @ApiOkResponse({ type: LivenessDto })
  live(): LivenessDto {
    return { status: 'ok' };
  }

  @Get('health/ready')
  @Public()
  @HealthCheck()
  @ApiOperation({ summary: 'Readiness: Postgres reachable (Redis reported, degraded when down)' })
  @ApiServiceUnavailableResponse({ description: 'Postgres unreachable' })
  ready(): Promise<HealthCheckResult> {
    return this.health.check([() => this.db.pingCheck('postgres', { timeout: 1500 }), () => this.redis.check('redis')]);
  }

  @Get('version')
  @ApiOperation({ summary: 'Service name and version' })
  @ApiOkResponse({ type: VersionDto })
  version(): VersionDto {
    return { name: APP_VERSION.name, version: APP_VERSION.version, node: process.version };
  }
}
