/**
 * A coarse millisecond clock for the L1 hit path.
 *
 * `Date.now()` costs about 30 ns on Bun, more than the rest of an L1 hit put together, so the hit
 * path reads a number that a 1 ms timer keeps current instead. The timer runs only while the cache
 * is being read (it stops itself after a second without reads) and never keeps the process alive.
 * The price is that a hit may see time up to a timer period late — or longer while the event loop
 * is blocked — so an entry can be served a millisecond or so past its TTL. Every write path uses
 * `Date.now()` directly.
 *
 * @example
 * ```ts
 * const t = coarseNow(); // ≈ Date.now(), within about a millisecond
 * ```
 */
let now = Date.now();
let timer: ReturnType<typeof setInterval> | undefined;
let readSinceTick = false;
let idleTicks = 0;
let direct = false;

const TICK_MS = 1;
const IDLE_TICKS_BEFORE_STOP = 1000;

function tick(): void {
  now = Date.now();
  if (readSinceTick) {
    readSinceTick = false;
    idleTicks = 0;
  } else if (++idleTicks >= IDLE_TICKS_BEFORE_STOP) {
    clearInterval(timer);
    timer = undefined;
  }
}

/** The current time in ms since the epoch, refreshed about every millisecond while in use. */
export function coarseNow(): number {
  if (direct) return Date.now();
  if (timer === undefined) {
    now = Date.now();
    idleTicks = 0;
    timer = setInterval(tick, TICK_MS);
    unrefTimer(timer);
  }
  readSinceTick = true;
  return now;
}

/**
 * Makes {@link coarseNow} read `Date.now()` on every call, for runtimes where a timer does not
 * outlive the request that set it (Cloudflare Workers cancels it, so the coarse time would freeze)
 * and where `Date.now()` only moves on I/O anyway. Process-wide; call it before the first read.
 *
 * @example
 * ```ts
 * disableCoarseClock(); // in a Workers entry, before createCache
 * ```
 */
export function disableCoarseClock(): void {
  direct = true;
  if (timer !== undefined) clearInterval(timer);
  timer = undefined;
}

/**
 * Lets the process exit while `timer` is pending: housekeeping timers must never keep it alive.
 *
 * @example
 * ```ts
 * unrefTimer(setInterval(retry, 1_000));
 * ```
 */
export function unrefTimer(timer: ReturnType<typeof setTimeout> | ReturnType<typeof setInterval>): void {
  // Bun and Node return an object with unref(); Deno returns a number and has Deno.unrefTimer.
  const handle = timer as unknown as { unref?: () => void };
  if (typeof handle.unref === "function") handle.unref();
  else (globalThis as { Deno?: { unrefTimer(id: unknown): void } }).Deno?.unrefTimer(timer);
}

/**
 * Resolves after `ms` milliseconds: the cache's one sleep (lock polling).
 *
 * @example
 * ```ts
 * await sleep(10);
 * ```
 */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
