/**
 * Runs the server's `main()` in this process with the environment given as JSON in argv[2], and
 * prints the files of every module loaded once it listens, as a JSON array on stdout; then exits.
 * With `--wait-for <text>` it first waits (bounded) until a loaded file contains the text, for
 * modules a server loads in the background. For tests/runtime/start-up-modules.test.ts.
 *
 * @example
 * ```sh
 * bun tests/support/loaded-modules.ts '{"CACHE_L2":"memory","PORT":"0"}'
 * ```
 */
import { main } from "../../src/server.ts";

const env = JSON.parse(process.argv[2] ?? "{}") as Record<string, string>;
const waitIndex = process.argv.indexOf("--wait-for");
const waitFor = waitIndex === -1 ? undefined : process.argv[waitIndex + 1];

await main({ PATH: process.env.PATH, HOME: process.env.HOME, ...env });
const loaded = (): string[] => Object.keys(require.cache);
if (waitFor !== undefined) {
  const until = Date.now() + 10_000;
  while (!loaded().some((file) => file.includes(waitFor)) && Date.now() < until) await Bun.sleep(10);
}
console.log(JSON.stringify(loaded()));
process.exit(0);
