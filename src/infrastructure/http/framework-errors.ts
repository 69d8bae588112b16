import { Logger } from '@nestjs/common';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { sendError } from '../../common/errors/all-exceptions.filter';

const logger = new Logger('HttpFramework');

/**
 * Fastify's `frameworkErrors`: errors its router raises before any hook or Nest handler runs
 * (a malformed URL, a path parameter over maxParamLength). Answered with our error body
 * instead of Fastify's own, which would echo the path.
 */
export function answerFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  void reply.header('X-Request-Id', request.id);
  sendError(error, request, reply, { exposeStack: false, logger });
}
