import type { FastifyReply } from 'fastify';

/** Sends the count of a list as X-Total-Count on a 204 (Midaz `HEAD .../metrics/count`). */
export function sendCount(reply: FastifyReply, count: number): void {
  void reply.status(204).header('X-Total-Count', String(count)).send();
}
