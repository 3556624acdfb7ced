/**
 * Polling waits for tests: a hang guard with a generous bound, never a timing assertion.
 */

/**
 * Polls until `check` holds (a throw counts as "not yet"); fails with `what` after `timeoutMs`.
 *
 * @example
 * await waitFor("the bus to be up", () => cache.stats().bus.state === "up");
 */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // not yet
    }
    if (Date.now() > until) throw new Error(`timed out waiting for: ${what}`);
    await Bun.sleep(10);
  }
}
