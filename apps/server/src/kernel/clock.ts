/** An opaque handle to a scheduled callback. */
export interface TimerHandle {
  cancel(): void;
}

/**
 * Time for everything that waits or expires on the server (keepalive, identify timeout, session
 * lifetimes, presence grace, typing throttle, ring timeout). Production uses the system clock;
 * tests pass a manual one and move time by hand, so no test has to sleep.
 */
export interface Clock {
  now(): number;
  /** Runs `fn` once after `ms`; never keeps the process alive on its own. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const timer = setTimeout(fn, ms);
    timer.unref();
    return { cancel: () => clearTimeout(timer) };
  },
};
