import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import { AppError } from '../../common/errors/app-error';
import { Env } from '../../config/env.schema';
import { sendError } from '../../common/errors/all-exceptions.filter';
import { registerRequestTimeout } from './request-timeout';
import { securityHeaders } from './security-headers';

/**
 * HTTP hardening applied once the Nest app exists (before it listens): security headers
 * (helmet's, computed once), CORS only for CORS_ORIGINS, the request timeout, and no NUL in the
 * URL. The JSON body parser is installed by registerJsonBodyParser on the adapter; the auth
 * checks that run before Nest's guards by registerAuthHooks (auth module), after these.
 */
export async function hardenHttp(app: NestFastifyApplication, env: Env): Promise<void> {
  const headers = securityHeaders();
  app.getHttpAdapter()
    .getInstance()
    .addHook('onRequest', (_request, reply, done) => {
      void reply.headers(headers);
      done();
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

  // Postgres text cannot hold NUL: refuse it in the path and query like in bodies (see the JSON parser).
  app.getHttpAdapter()
    .getInstance()
    .addHook('onRequest', (request: FastifyRequest, _reply, done) => {
      if (request.url.includes('%00')) done(new AppError('BAD_REQUEST', 'The URL contains a NUL character (%00).'));
      else done();
    });
}
