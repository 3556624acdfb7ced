/**
 * Loaded before every test file (bunfig.toml `[test] preload`). Hooks registered here apply to the
 * whole run: the `afterAll` runs once, after the last file.
 */
import { afterAll, setDefaultTimeout } from "bun:test";
import { killAllServersSync, stopAllServers } from "./servers.ts";

// bunfig.toml has no per-test timeout key; 30 s leaves room for starting a cluster (about 4 s).
setDefaultTimeout(30_000);

afterAll(stopAllServers);

// Runs when something calls process.exit(); the watchdog in servers.ts covers harder exits.
process.on("exit", killAllServersSync);
