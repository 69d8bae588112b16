import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Observable, throwError, timeout } from 'rxjs';
import { AppError } from '../../common/errors/app-error';

/**
 * Answers 504 when a handler runs longer than REQUEST_TIMEOUT_MS. The work is not canceled:
 * a posting may still commit, so the outcome is unknown and the client should retry with the
 * same X-Idempotency key (which applies it at most once).
 */
@Injectable()
export class RequestTimeoutInterceptor implements NestInterceptor {
  constructor(private readonly ms: number) {}

  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (this.ms <= 0) return next.handle();
    return next.handle().pipe(
      timeout({
        first: this.ms,
        with: () =>
          throwError(
            () =>
              new AppError(
                'REQUEST_TIMEOUT',
                `The request did not finish within ${this.ms} ms; its outcome is unknown. Retry with the same X-Idempotency key.`,
              ),
          ),
      }),
    );
  }
}
