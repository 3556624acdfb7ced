/**
 * Runs the benchmarks one after another, each in its own process so that one's heap, JIT state and
 * servers never colour the other's figures.
 *
 *   bun bench/index.ts                # cache, then server (when bench/server.ts exists)
 *   bun bench/index.ts --only cache   # or --only=server, --only answers, --only workers, --only understanding (the last three: not in the default run)
 *   bun bench/index.ts --only server --save-baseline   # record this run in bench/baseline.json
 *
 * Arguments after `--` go to every benchmark. Exits non-zero when a benchmark fails.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";

const BENCHES = ["cache", "server", "answers", "workers", "understanding"] as const;
type Bench = (typeof BENCHES)[number];
/** What runs without `--only`: the model-answers bench runs only when asked for. */
const DEFAULT_BENCHES: readonly Bench[] = ["cache", "server"];
/** The benchmarks that compare with, and can record, a committed baseline. */
const SAVES_BASELINE: readonly Bench[] = ["server"];

/**
 * Which benchmarks to run, from `--only cache|server` or `--only=cache|server`.
 *
 * @example
 * ```ts
 * chooseBenches(["--only", "server"]); // ["server"]
 * ```
 */
export function chooseBenches(argv: readonly string[]): Bench[] {
  const at = argv.findIndex((a) => a === "--only" || a.startsWith("--only="));
  if (at === -1) return [...DEFAULT_BENCHES];
  const flag = argv[at] as string;
  const wanted = flag.includes("=") ? flag.slice("--only=".length) : argv[at + 1];
  if (!(BENCHES as readonly string[]).includes(wanted ?? "")) {
    throw new Error(`--only takes one of ${BENCHES.join(", ")} (got ${wanted ?? "nothing"})`);
  }
  return [wanted as Bench];
}

async function main(): Promise<number> {
  const argv = Bun.argv.slice(2);
  const dash = argv.indexOf("--");
  const own = dash === -1 ? argv : argv.slice(0, dash);
  const passOn = dash === -1 ? [] : argv.slice(dash + 1);
  const chosen = chooseBenches(own);
  let failed = 0;
  for (const bench of chosen) {
    const file = join(import.meta.dir, `${bench}.ts`);
    if (!existsSync(file)) {
      if (own.length > 0) {
        console.error(`bench/${bench}.ts does not exist`);
        failed++;
      }
      continue;
    }
    // Benchmarks that keep a baseline take the flag (bench/baseline.json, one section each).
    const args = own.includes("--save-baseline") && SAVES_BASELINE.includes(bench) ? [...passOn, "--save-baseline"] : passOn;
    console.log(`\n▶ bun bench/${bench}.ts ${args.join(" ")}\n`);
    const child = Bun.spawn([process.execPath, file, ...args], { stdio: ["inherit", "inherit", "inherit"] });
    const code = await child.exited;
    if (code !== 0) {
      console.error(`bench/${bench}.ts exited with ${code}`);
      failed++;
    }
  }
  return failed === 0 ? 0 : 1;
}

if (import.meta.main) {
  const code = await main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    return 2;
  });
  process.exit(code);
}
