/**
 * Calls `expire` once `ms` have passed, unless cancelled first, with one difference from a bare
 * `setTimeout`: it measures what it waits for, not the event loop. When the loop was blocked (a long
 * synchronous task, an embedding on the main thread), the timer and a reply that arrived meanwhile
 * are both due; Node runs timers before it reads I/O, so a bare timer would call an answer that came
 * in time late. Here the expiry waits one turn (`setImmediate` runs after the I/O phase), and a reply
 * that had arrived cancels it first.
 *
 * @example
 * const cancel = onDeadline(50, () => fail("store get took longer than 50 ms"));
 * const value = await store.get(key); // a reply read in this turn wins
 * cancel();
 */
export function onDeadline(ms: number, expire: () => void, options: { unref?: boolean } = {}): () => void {
  let cancelled = false;
  let immediate: ReturnType<typeof setImmediate> | undefined;
  const timer = setTimeout(() => {
    immediate = setImmediate(() => {
      if (!cancelled) expire();
    });
  }, ms);
  // `unref`: the deadline alone does not keep the process alive (what it waits for must). The
  // immediate stays referenced: an unreferenced one lets the loop sleep in its poll phase past it.
  if (options.unref) timer.unref();
  return () => {
    cancelled = true;
    clearTimeout(timer);
    if (immediate) clearImmediate(immediate);
  };
}
