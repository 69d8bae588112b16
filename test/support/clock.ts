/** Everything Jest must leave real while the host clock is faked: only Date (and Date.now) moves. */
const REAL_TIMERS = ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'requestAnimationFrame', 'cancelAnimationFrame',
  'requestIdleCallback', 'cancelIdleCallback', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'] as const;

/** Runs fn with the host clock (Date, Date.now) set to `now`; timers stay real and the database's clock is untouched. */
export async function withHostClock<T>(now: number | Date, fn: () => Promise<T>): Promise<T> {
  jest.useFakeTimers({ doNotFake: [...REAL_TIMERS], now });
  try {
    return await fn();
  } finally {
    jest.useRealTimers();
  }
}

/** Runs fn with the host clock moved by skewMs from now; the database's clock is untouched. */
export function withHostClockSkew<T>(skewMs: number, fn: () => Promise<T>): Promise<T> {
  return withHostClock(Date.now() + skewMs, fn);
}
