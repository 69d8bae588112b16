import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import { AppError } from '../../common/errors/app-error';
import { Env } from '../../config/env.schema';
import { sendError } from '../../common/errors/all-exceptions.filter';
import { registerRequestTimeout } from './request-timeout';
import { securityHeaders } from './security-headers';

/**
 * HTTP hardening applied once the Nest app exists (before it listens): X-Request-Id and the
 * security headers (helmet's, computed once), NUL refused in URLs, CORS only for CORS_ORIGINS,
 * and the request timeout. The JSON body parser is installed by registerJsonBodyParser on the
 * adapter; the auth checks that run before Nest's guards by registerAuthHooks (auth module), after these.
 */
export async function hardenHttp(app: NestFastifyApplication, env: Env): Promise<void> {
  // One hook for what every request gets: its X-Request-Id echoed, the security headers, and
  // the refusal of NUL in the path and query (Postgres text cannot hold it; see the JSON parser).
  const headers = securityHeaders();
  app.getHttpAdapter()
    .getInstance()
    .addHook('onRequest', (request: FastifyRequest, reply, done) => {
      void reply.header('X-Request-Id', request.id).headers(headers);
      if (request.url.includes('%00')) done(new AppError('BAD_REQUEST', 'The URL contains a NUL character (%00).'));
      else done();
    });

  const origins = env.CORS_ORIGINS.split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  if (origins.length > 0) {
    app.enableCors({
      origin: origins,
      methods: ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE'],
      allowedHeaders: ['Authorization', 'Content-Type', 'X-Idempotency', 'X-TTL', 'X-Request-Id'],
      exposedHeaders: ['X-Request-Id', 'X-Idempotency-Replayed', 'X-Total-Count', 'Retry-After'],
      maxAge: 600,
    });
  }

  const timeoutLogger = new Logger('RequestTimeout');
  registerRequestTimeout(app.getHttpAdapter().getInstance(), env.REQUEST_TIMEOUT_MS, (err, request, reply) =>
    sendError(err, request, reply, { exposeStack: false, logger: timeoutLogger }),
  );

}
