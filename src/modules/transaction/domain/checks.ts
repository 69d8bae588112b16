import { AppError } from '../../../common/errors/app-error';
import { ErrorKey } from '../../../common/errors/error-codes';

/**
 * One rule of an action: when it fails, the action is refused with its code. An action's rules
 * are a list checked in order (the first failure is the answer), so one screen shows its whole
 * policy and each code has a test of its own (the style of TigerBeetle's state machine).
 */
export interface Check<C> {
  code: ErrorKey;
  fails: (c: C) => boolean;
  message: (c: C) => string;
  extra?: (c: C) => AppError['extra'];
}

/** Throws the refusal of the first failing check, in list order. */
export function enforce<C>(checks: ReadonlyArray<Check<C>>, c: C): void {
  for (const check of checks) {
    if (check.fails(c)) throw new AppError(check.code, check.message(c), check.extra?.(c));
  }
}
