import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../common/errors/app-error';

const TIMER = Symbol('requestTimeout');
type Timed = FastifyRequest & { [TIMER]?: NodeJS.Timeout };

/**
 * Answers 504 when a request runs longer than `ms` (0 = no limit). The work is not canceled:
 * a posting may still commit, so the outcome is unknown and the client should retry with the
 * same X-Idempotency key (which applies it at most once). A plain timer per request, so it
 * costs nearly nothing on the hot path.
 */
export function registerRequestTimeout(
  fastify: FastifyInstance,
  ms: number,
  answer: (err: AppError, request: FastifyRequest, reply: FastifyReply) => void,
): void {
  if (ms <= 0) return;
  fastify.addHook('onRequest', (request: Timed, reply, done) => {
    request[TIMER] = setTimeout(() => {
      if (reply.sent) return;
      answer(
        new AppError(
          'REQUEST_TIMEOUT',
          `The request did not finish within ${ms} ms; its outcome is unknown. Retry with the same X-Idempotency key.`,
        ),
        request,
        reply,
      );
    }, ms);
    done();
  });
  fastify.addHook('onResponse', (request: Timed, _reply, done) => {
    clearTimeout(request[TIMER]);
    done();
  });
}
