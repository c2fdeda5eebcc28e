/**
 * A signal that aborts after `ms`, or when `parent` does; `clear()` once the work is done.
 * Not `AbortSignal.any([parent, AbortSignal.timeout(ms)])`: on Node 20 the composite holds the
 * timeout signal only weakly, so a garbage collection before the deadline takes it, its timer
 * with it, and the work is never cut off (nodejs/node#57736). Here the timer holds the controller.
 */
export function deadline(ms: number, parent?: AbortSignal): { signal: AbortSignal; clear(): void } {
  const controller = new AbortController();
  const onParentAbort = () => controller.abort(parent?.reason);
  const timer = setTimeout(
    () => controller.abort(new DOMException('The operation timed out.', 'TimeoutError')),
    ms,
  );
  // Like AbortSignal.timeout: the deadline alone does not keep the process alive.
  timer.unref();
  if (parent?.aborted) onParentAbort();
  else parent?.addEventListener('abort', onParentAbort, { once: true });
  return {
    signal: controller.signal,
    clear: () => {
      clearTimeout(timer);
      parent?.removeEventListener('abort', onParentAbort);
    },
  };
}
