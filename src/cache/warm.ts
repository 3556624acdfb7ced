import type { Loader, NamespaceHandle } from "./handle.ts";
import type { WriteOptions } from "./policy.ts";

/** One entry to warm: a namespace, a key and the loader that produces its value. */
export interface WarmSpec<N extends string = string> {
  namespace: N;
  key: string;
  loader: Loader<unknown>;
  /** Reload even when the entry is already cached. Default false. */
  force?: boolean;
  options?: WriteOptions;
}

export interface WarmOptions {
  /** Loaders running at once. Default 8. */
  concurrency?: number;
  /** After this much uninterrupted work (ms), warming yields to the event loop so live requests are served. Default 2. */
  sliceMs?: number;
}

/**
 * Lets timers, I/O and requests that waited run before warming goes on: a timer, not a microtask,
 * and not `setImmediate`, which on Bun can run again before the loop polls for I/O.
 */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

export interface WarmReport {
  warmed: number;
  skipped: number;
  failed: Array<{ namespace: string; key: string; error: string }>;
  durationMs: number;
}

/**
 * Loads every spec with bounded concurrency; an entry already cached is skipped unless `force`.
 * A failing loader is reported and does not stop the others. Warming never holds the event loop
 * for more than about `sliceMs` at a time: cached entries and synchronous loaders resolve through
 * microtasks alone, so without the yield a large warm would stall every live call. `namespace` finds a spec's handle
 * (the cache's own `namespace`), so warming needs nothing else of the cache.
 *
 * @example
 * ```ts
 * const report = await runWarm(cache.namespace, [{ namespace: "business", key: "+15550001111", loader: () => load("+15550001111") }], { concurrency: 4 });
 * // { warmed: 1, skipped: 0, failed: [], durationMs: 3.1 }
 * ```
 */
export async function runWarm<N extends string>(namespace: (name: N) => NamespaceHandle<unknown>, specs: ReadonlyArray<WarmSpec<N>>, options: WarmOptions = {}): Promise<WarmReport> {
  const started = performance.now();
  const report: WarmReport = { warmed: 0, skipped: 0, failed: [], durationMs: 0 };
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 8));
  const sliceMs = options.sliceMs ?? 2;
  let next = 0;
  let sliceStart = performance.now();
  // One pause shared by every worker: a yield of its own each would queue one timer per worker,
  // and those run back to back in one timers phase, each for a whole slice, with no I/O between.
  let pause: Promise<void> | undefined;

  async function worker(): Promise<void> {
    while (next < specs.length) {
      if (performance.now() - sliceStart >= sliceMs) {
        pause ??= yieldToEventLoop().then(() => {
          pause = undefined;
          sliceStart = performance.now();
        });
        await pause;
        continue;
      }
      const spec = specs[next++] as WarmSpec<N>;
      try {
        const handle = namespace(spec.namespace);
        if (!spec.force && (await handle.get(spec.key)) !== undefined) {
          report.skipped++;
          continue;
        }
        if (spec.force) await handle.reload(spec.key, spec.loader, spec.options);
        else await handle.getOrSet(spec.key, spec.loader, spec.options);
        report.warmed++;
      } catch (error) {
        report.failed.push({ namespace: spec.namespace, key: spec.key, error: error instanceof Error ? error.message : String(error) });
      }
    }
  }

  await Promise.all(Array.from({ length: Math.min(concurrency, specs.length) }, worker));
  report.durationMs = Math.round((performance.now() - started) * 100) / 100;
  return report;
}
