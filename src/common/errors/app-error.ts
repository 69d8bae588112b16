import { ErrorCatalog, ErrorKey } from './error-codes';

/** A domain error with a stable code. Services throw these, never HttpException. */
export class AppError extends Error {
  constructor(
    readonly key: ErrorKey,
    message: string,
    readonly extra: { fields?: Record<string, string>; entityType?: string; details?: Record<string, unknown> } = {},
  ) {
    super(message);
    this.name = 'AppError';
  }

  get status(): number {
    return ErrorCatalog[this.key].status;
  }

  static notFound(entityType: string, message?: string): AppError {
    return new AppError('NOT_FOUND', message ?? `${entityType} not found.`, { entityType });
  }
}

/**
 * An impossible state (unbalanced plan, negative internal balance, version gap).
 * Never shown to clients: the filter answers a generic 500 and logs the detail.
 */
export class AssertionFailure extends Error {
  constructor(message: string, readonly detail: Record<string, unknown> = {}) {
    super(message);
    this.name = 'AssertionFailure';
  }
}

export function invariant(condition: unknown, message: string, detail?: Record<string, unknown>): asserts condition {
  if (!condition) throw new AssertionFailure(message, detail);
}
