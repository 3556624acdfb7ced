/**
 * Waits `ms` milliseconds. With a `signal`, resolves early (never rejects) as soon as it aborts,
 * so a loop that sleeps between rounds can check `signal.aborted` and stop at once. The timer
 * and the abort listener are both removed when it settles.
 *
 * The cache library keeps its own copy on purpose: `src/cache` imports nothing outside itself.
 *
 * @example
 * await sleep(25);
 * await sleep(1_000, controller.signal); // Ctrl-C ends the wait early
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}
