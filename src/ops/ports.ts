/**
 * Loopback port helpers for the launcher: whether a port can be bound, a free port (optionally
 * with its cluster bus port), a run of consecutive free ports for a cluster, and who holds a
 * port when it is taken.
 */
import { createServer } from "node:net";
import { findExecutable, runQuietly } from "./process.ts";

/** Where test and development servers listen. */
export const LOOPBACK = "127.0.0.1";
/** A cluster node's bus listens on its port plus this. */
export const CLUSTER_BUS_OFFSET = 10_000;

/**
 * Whether `port` can be bound on `host` right now.
 *
 * @example if (await isPortFree(7000)) { ... }
 */
export function isPortFree(port: number, host = LOOPBACK): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * A port that was free a moment ago. With `clusterBus`, port + 10000 (the cluster bus) is free too.
 *
 * @example const port = await findFreePort({ clusterBus: true });
 */
export async function findFreePort(opts: { host?: string; clusterBus?: boolean } = {}): Promise<number> {
  const host = opts.host ?? LOOPBACK;
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = await bindEphemeralPort(host);
    if (!opts.clusterBus) return port;
    const bus = port + CLUSTER_BUS_OFFSET;
    if (bus <= 65_535 && (await isPortFree(bus, host))) return port;
  }
  throw new Error(`could not find a free port on ${host}`);
}

/**
 * First of `count` consecutive ports that are free together with their cluster bus ports.
 *
 * @example const base = await findFreePortRange(6); // base..base+5 and base+10000..base+10005
 */
export async function findFreePortRange(count: number, host = LOOPBACK): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    // Below the Linux ephemeral range (32768+) so outgoing connections rarely collide.
    const base = 20_000 + Math.floor(Math.random() * (12_000 - count));
    const ports = Array.from({ length: count }, (_, i) => base + i);
    const checks = await Promise.all(
      ports.flatMap((port) => [isPortFree(port, host), isPortFree(port + CLUSTER_BUS_OFFSET, host)]),
    );
    if (checks.every(Boolean)) return base;
  }
  throw new Error(`could not find ${count} consecutive free ports (with cluster bus ports) on ${host}`);
}

/**
 * The node and cluster bus ports of `size` nodes from `basePort` on that cannot be bound, each
 * said with what holds it when that can be found out; empty when all are free.
 *
 * @example await takenClusterPorts(7000, 6) // ["port 7000 (node port) is already in use by redis-server (pid 4242)"]
 */
export async function takenClusterPorts(basePort: number, size: number, host = LOOPBACK): Promise<string[]> {
  const taken: string[] = [];
  for (let i = 0; i < size; i++) {
    const port = basePort + i;
    for (const [candidate, role] of [
      [port, "node port"],
      [port + CLUSTER_BUS_OFFSET, `cluster bus port of node ${port}`],
    ] as const) {
      if (await isPortFree(candidate, host)) continue;
      const owner = describePortOwner(candidate);
      taken.push(`port ${candidate} (${role}) is already in use${owner ? ` by ${owner}` : ""}`);
    }
  }
  return taken;
}

/**
 * What holds a TCP port, for error messages about a taken port: the listening process as
 * "name (pid N)" when `ss` or `lsof` can tell, else a connection that still uses the port as its
 * local end (a client's TIME-WAIT blocks a listener too). Undefined when nothing can be found out.
 *
 * @example describePortOwner(7000) // "redis-server (pid 4242)"
 */
export function describePortOwner(port: number): string | undefined {
  const ss = findExecutable("ss");
  if (ss) {
    const listener = /users:\(\("([^"]+)",pid=(\d+)/.exec(runQuietly(ss, ["-Hltnp", `sport = :${port}`]));
    if (listener) return `${listener[1]} (pid ${listener[2]})`;
    const connection = runQuietly(ss, ["-Htanp", `sport = :${port}`]).split("\n")[0]?.trim();
    const state = connection?.split(/\s+/)[0];
    if (state) {
      const user = /users:\(\("([^"]+)",pid=(\d+)/.exec(connection ?? "");
      return user
        ? `a connection of ${user[1]} (pid ${user[2]}, state ${state})`
        : `a connection in state ${state}${state === "TIME-WAIT" ? " (it goes away within a minute or two)" : ""}`;
    }
  }
  const lsof = findExecutable("lsof");
  if (lsof) {
    const out = runQuietly(lsof, ["-nP", `-iTCP:${port}`, "-sTCP:LISTEN", "-Fpc"]);
    const pid = /^p(\d+)$/m.exec(out)?.[1];
    const name = /^c(.+)$/m.exec(out)?.[1];
    if (pid) return `${name ?? "a process"} (pid ${pid})`;
  }
  return undefined;
}

function bindEphemeralPort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen({ port: 0, host, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error("no port assigned"))));
    });
  });
}
