import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppConfig } from '../../config/app-config';
import { AssertionFailure } from './app-error';
import { ErrorCatalog } from './error-codes';
import { mapError } from './error-response';

const RETRY_AFTER_CODES = new Set<string>([ErrorCatalog.SERVICE_UNAVAILABLE.code, ErrorCatalog.OUTCOME_UNKNOWN.code]);

/** Sends the mapped error; shared by the Nest filter and Fastify's own error handler. */
export function sendError(
  err: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
  opts: { exposeStack: boolean; logger: Logger },
): void {
  const { status, body, unexpected } = mapError(err);
  const requestId = String((request.raw as { id?: unknown }).id ?? request.id);
  if (unexpected) {
    const detail = err instanceof AssertionFailure ? err.detail : undefined;
    opts.logger.error(
      { err, requestId, method: request.method, url: request.url, detail },
      `${request.method} ${request.routeOptions?.url ?? request.url} failed: ${(err as Error)?.message ?? String(err)}`,
    );
    if (opts.exposeStack && err instanceof Error) body.stack = err.stack;
  }
  if (reply.sent) return;
  // Unavailable (not applied, or outcome unknown): worth retrying after a moment.
  if (RETRY_AFTER_CODES.has(body.code)) void reply.header('Retry-After', '1');
  void reply.status(status).header('content-type', 'application/json; charset=utf-8').send(body);
}

@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ExceptionFilter');

  constructor(private readonly config: AppConfig) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    sendError(exception, ctx.getRequest<FastifyRequest>(), ctx.getResponse<FastifyReply>(), {
      exposeStack: this.config.get('NODE_ENV') === 'development',
      logger: this.logger,
    });
  }
}
