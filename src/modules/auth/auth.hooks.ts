import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import { RouteAccess } from '../../common/auth/auth.decorators';
import { AppError } from '../../common/errors/app-error';
import { Env } from '../../config/env.schema';
import { AccessPolicy } from './access-policy';
import { ApiKeyAuthenticator } from './api-key.authenticator';

const DOCS_PATH = /^\/docs(-json|-yaml)?(\/|$)/;

/**
 * The checks that must run before Nest's guards, as Fastify hooks on the built app (createApp
 * registers them after the HTTP hardening): authorization of the routes that carry a body schema,
 * and a key for /docs unless DOCS_PUBLIC.
 */
export function registerAuthHooks(app: NestFastifyApplication, env: Pick<Env, 'SWAGGER_ENABLED' | 'DOCS_PUBLIC'>): void {
  // Fastify validates route body schemas (the posting routes) before Nest guards run: authorize
  // those routes first, so a caller without the right key learns nothing from validation errors.
  const policy = app.get(AccessPolicy);
  app.getHttpAdapter()
    .getInstance()
    .addHook('preValidation', (request: FastifyRequest, reply, done) => {
      if (!request.routeOptions.schema) return done();
      try {
        policy.authorize(request, reply, (request.routeOptions.config as { auth?: RouteAccess }).auth ?? {});
        done();
      } catch (err) {
        done(err as Error);
      }
    });

  if (env.SWAGGER_ENABLED && !env.DOCS_PUBLIC) {
    const authenticator = app.get(ApiKeyAuthenticator);
    app.getHttpAdapter()
      .getInstance()
      .addHook('onRequest', (request: FastifyRequest, reply, done) => {
        // The route Fastify matched, not the raw URL: a query string or percent-encoding must not
        // slip past the pattern while still reaching the docs.
        const path = request.routeOptions.url ?? request.url.split('?')[0];
        if (DOCS_PATH.test(path) && !authenticator.principalOf(request)) {
          void reply.header('WWW-Authenticate', 'Bearer');
          done(new AppError('UNAUTHORIZED', 'A valid API key is required: Authorization: Bearer <key>.'));
          return;
        }
        done();
      });
  }
}
