import { takesLargeBody } from './common/http/large-body';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { LogController } from 'fastify';
import type { Logger } from 'pino';
import { AppModule } from './app.module';
import { AppConfig } from './config/app-config';
import { Env } from './config/env.schema';
import { AllExceptionsFilter } from './common/errors/all-exceptions.filter';
import { createValidationPipe } from './common/http/validation';
import { answerFrameworkError } from './infrastructure/http/framework-errors';
import { hardenHttp } from './infrastructure/http/harden-http';
import { registerJsonBodyParser } from './infrastructure/http/json-body-parser';
import { HttpMetrics } from './infrastructure/metrics/http-metrics';
import { assertAuthConfigured } from './modules/auth/auth.module';
import { registerAuthHooks } from './modules/auth/auth.hooks';
import { createRootLogger, PinoNestLogger, requestId } from './infrastructure/logging/logger';
import { APP_VERSION } from './modules/health/version';
import { redisAnswers } from './infrastructure/redis/probe-redis';

export interface CreateAppOptions {
  /** The process's root logger (main.ts makes it pretty or JSON); default: JSON on stdout. */
  logger?: Logger;
  /** Whether Redis answered at start; asked here when not given. */
  redis?: boolean;
}

/** Builds the application (used by main.ts and by the e2e tests). */
export async function createApp(env: Env, options: CreateAppOptions = {}): Promise<NestFastifyApplication> {
  assertAuthConfigured(env);
  const rootLogger = options.logger ?? createRootLogger(env.LOG_LEVEL);
  const redis = options.redis ?? (await redisAnswers(env.REDIS_URL));
  const adapter = new FastifyAdapter({
    loggerInstance: rootLogger,
    // Request lines are ours (onResponse below): method, route, status, duration.
    logController: new LogController({ requestIdLogLabel: 'requestId', disableRequestLogging: true }),
    bodyLimit: env.BODY_LIMIT_BYTES,
    // Path parameters up to 256 characters (an alias is up to 101, percent-encoded longer).
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 256 },
    frameworkErrors: answerFrameworkError,
    genReqId: requestId,
    // Route schemas (the posting bodies) are validated strictly: no coercion (a JSON number
    // is never an amount), no silent removal of unknown fields, every error reported.
    ajv: {
      customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: false, allErrors: true, keywords: ['example'] },
    },
  });
  const fastify = adapter.getInstance();
  // Routes marked @LargeBody() (a batch request carries many bodies) get their own body limit.
  fastify.addHook('onRoute', (route) => {
    if (takesLargeBody(route.config)) route.bodyLimit = env.TRANSACTION_BATCH_BODY_LIMIT_BYTES;
  });
  fastify.removeContentTypeParser('text/plain');
  // JSON only, with a depth limit, no duplicate keys and no __proto__/constructor keys.
  registerJsonBodyParser(fastify, { maxDepth: env.JSON_MAX_DEPTH });
  // One line per request: method, route, status, duration (never headers or bodies).
  fastify.addHook('onResponse', (request, reply, done) => {
    const level = reply.statusCode >= 500 ? 'error' : reply.statusCode >= 400 ? 'warn' : 'info';
    if (rootLogger.isLevelEnabled(level) && request.url !== '/health') {
      request.log[level](
        { method: request.method, route: request.routeOptions.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
        'request completed',
      );
    }
    done();
  });
  const nestLogger = new PinoNestLogger(rootLogger);
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(env, { redis }), adapter, {
    // Nest's own lines (bootstrap, errors) go through pino from the first one: no plain text.
    logger: nestLogger,
    abortOnError: false,
    // JSON only: no form or text parsers (a browser form must not be able to post here).
    bodyParser: false,
  });
  const config = app.get(AppConfig);

  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new AllExceptionsFilter(config));
  app.get(HttpMetrics).observe(fastify);
  // X-Request-Id and the security headers on every answer (one hook), the timeout, NUL in URLs.
  await hardenHttp(app, env);
  registerAuthHooks(app, env);
  // process.exit after a graceful close: 'exit' listeners run (the embedded Postgres stops, logs flush).
  app.enableShutdownHooks(undefined, { useProcessExit: true });

  if (env.SWAGGER_ENABLED) {
    const document = SwaggerModule.createDocument(
      app,
      new DocumentBuilder()
        .setTitle('Ledger service')
        .setDescription(
          'Double-entry ledger speaking the Midaz v3 REST API. Amounts are decimal strings; errors are {code, title, message}.',
        )
        .setVersion(APP_VERSION.version)
        .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'API key', description: 'The secret of a key from API_KEYS' })
        .addSecurityRequirements('bearer')
        .build(),
    );
    SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  }
  return app;
}
