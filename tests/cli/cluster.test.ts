/**
 * `bun run cluster …` end to end: the CLI runs as a subprocess against real redis-server nodes on
 * free loopback ports, in a temp dir, the way a developer would use it.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readdirSync, readlinkSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ClusterStatus } from "../../src/cli/cluster.ts";
import type { SlotTestReport } from "../../src/cli/cluster-slot-test.ts";
import { findFreePortRange } from "../../src/ops/redis-cluster.ts";
import { isProcessAlive } from "../../src/ops/redis-server.ts";
import { parseSlotRanges, SLOT_COUNT } from "../../src/ops/slots.ts";

const CLI = join(import.meta.dir, "..", "..", "src", "cli", "cluster.ts");
const dirs: string[] = [];

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  const proc = Bun.spawn([process.execPath, CLI, ...args], {
    stdout: "pipe",
    stderr: "pipe",
    env: { ...process.env, ...env },
  });
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  return { code, stdout, stderr };
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "voxedge-cli-cluster-"));
  dirs.push(dir);
  return dir;
}

/** Live pids whose working directory is inside `dir` (redis-server runs in its node dir). */
function processesIn(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cwd = readlinkSync(`/proc/${entry}/cwd`);
      if ((cwd === dir || cwd.startsWith(`${dir}/`)) && isProcessAlive(Number(entry))) pids.push(Number(entry));
    } catch {
      // gone, or not ours to inspect
    }
  }
  return pids;
}

/** The slots in the masters' ranges, and how many of them more than one master claims. */
function slotsServed(status: ClusterStatus): { distinct: number; overlaps: number } {
  const served = new Set<number>();
  let overlaps = 0;
  for (const node of status.nodes.filter((n) => n.role === "master")) {
    for (const { from, to } of parseSlotRanges(node.slots ?? "")) {
      for (let slot = from; slot <= to; slot++) {
        if (served.has(slot)) overlaps++;
        served.add(slot);
      }
    }
  }
  return { distinct: served.size, overlaps };
}

async function statusJson(dir: string): Promise<ClusterStatus> {
  const run = await cli(["status", "--json", "--dir", dir]);
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as ClusterStatus;
}

afterAll(async () => {
  for (const dir of dirs) {
    if (existsSync(join(dir, "cluster.json"))) await cli(["stop", "--dir", dir]);
    for (const pid of processesIn(dir)) process.kill(pid, "SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  }
});

describe("a cluster's life through the CLI", () => {
  let dir = "";
  let basePort = 0;
  let ports: number[] = [];
  let pids: number[] = [];

  test("start runs 6 detached nodes and prints the env line", async () => {
    dir = tempDir();
    basePort = await findFreePortRange(6);
    ports = Array.from({ length: 6 }, (_, i) => basePort + i);
    const run = await cli(["start", "--base-port", String(basePort), "--dir", dir]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const seeds = ports.map((port) => `127.0.0.1:${port}`).join(",");
    expect(run.stdout).toContain(`CACHE_L2=redis-cluster REDIS_CLUSTER_NODES=${seeds}`);
    // The CLI has exited; the nodes it started must still be there.
    expect(processesIn(dir)).toHaveLength(6);
  }, 60_000);

  test("status --json: 3 masters over all 16384 slots, a replica each, state ok", async () => {
    const status = await statusJson(dir);
    expect(status.state).toBe("ok");
    expect(status.nodes.map((node) => node.port)).toEqual(ports);
    expect(status.nodes.every((node) => node.up)).toBe(true);
    const masters = status.nodes.filter((node) => node.role === "master");
    const replicas = status.nodes.filter((node) => node.role === "replica");
    expect(masters).toHaveLength(3);
    expect(new Set(replicas.map((node) => node.masterPort))).toEqual(new Set(masters.map((node) => node.port)));
    expect(slotsServed(status)).toEqual({ distinct: SLOT_COUNT, overlaps: 0 });
    expect(status.slotsCovered).toBe(SLOT_COUNT);
    pids = status.nodes.map((node) => node.pid);
    expect(new Set(pids).size).toBe(6);
    expect(pids.every(isProcessAlive)).toBe(true);
  });

  test("test writes and reads back a key in every slot with no errors", async () => {
    const run = await cli(["test", "--json", "--dir", dir]);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as SlotTestReport;
    expect(report).toMatchObject({ ok: true, slots: SLOT_COUNT, written: SLOT_COUNT, read: SLOT_COUNT, mismatches: 0, errors: 0 });
    // One key per slot, so the masters hold exactly 16384 keys between them.
    const status = await statusJson(dir);
    const masterKeys = status.nodes.filter((node) => node.role === "master").map((node) => node.keys ?? 0);
    expect(masterKeys.reduce((a, b) => a + b, 0)).toBe(SLOT_COUNT);
    expect(masterKeys.every((keys) => keys > 5_000)).toBe(true);
  });

  test("monitor --once prints a row per node; --iterations 2 prints two frames", async () => {
    const once = await cli(["monitor", "--once", "--dir", dir]);
    expect(once.code).toBe(0);
    for (const port of ports) expect(once.stdout).toMatch(new RegExp(`^${port}\\s+(master|replica)\\s+\\d+`, "m"));
    expect(once.stdout.match(/cluster_state ok/g)).toHaveLength(1);

    const twice = await cli(["monitor", "--iterations", "2", "--dir", dir]);
    expect(twice.code).toBe(0);
    expect(twice.stdout.match(/cluster_state ok/g)).toHaveLength(2);
  });

  test("reset empties every node, replicas included", async () => {
    const run = await cli(["reset", "--dir", dir]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Flushed 3 masters");
    const status = await statusJson(dir);
    expect(status.nodes.map((node) => node.keys)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  test("restart brings the same ports back with new processes", async () => {
    const run = await cli(["restart", "--dir", dir]);
    expect(run.code).toBe(0);
    expect(pids.some(isProcessAlive)).toBe(false);
    const status = await statusJson(dir);
    expect(status.state).toBe("ok");
    expect(status.nodes.map((node) => node.port)).toEqual(ports);
    expect(slotsServed(status)).toEqual({ distinct: SLOT_COUNT, overlaps: 0 });
    pids = status.nodes.map((node) => node.pid);
    expect(pids.every(isProcessAlive)).toBe(true);
  }, 60_000);

  test("stop leaves no redis-server of that dir running; status then fails clearly", async () => {
    const run = await cli(["stop", "--dir", dir]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Stopped 6 nodes");
    expect(pids.filter(isProcessAlive)).toEqual([]);
    expect(processesIn(dir)).toEqual([]);

    const status = await cli(["status", "--dir", dir]);
    expect(status.code).toBe(1);
    expect(status.stdout).toBe("");
    expect(status.stderr).toMatch(/no cluster is running/);
    expect(status.stderr).toContain(`bun run cluster start --dir ${dir}`);

    const again = await cli(["stop", "--dir", dir]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/nothing to stop/);
  });
});

describe("failures the CLI explains", () => {
  test("start refuses a taken port, names it and its owner, and starts nothing", async () => {
    const dir = tempDir();
    const basePort = await findFreePortRange(6);
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(basePort + 2, "127.0.0.1", resolve));
    try {
      const run = await cli(["start", "--base-port", String(basePort), "--dir", dir]);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`port ${basePort + 2} (node port) is already in use`);
      expect(run.stderr).toContain(`pid ${process.pid}`);
      expect(run.stderr).toContain("--base-port");
      expect(processesIn(dir)).toEqual([]);
      expect(existsSync(join(dir, "cluster.json"))).toBe(false);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  test("start without redis-server on PATH says how to install it", async () => {
    const run = await cli(["start", "--dir", tempDir()], { PATH: "/nonexistent" });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("apt-get install redis-server");
  });

  test("status in a dir that never held a cluster fails with exit 1", async () => {
    const run = await cli(["status", "--json", "--dir", tempDir()]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/no cluster is running/);
  });

  test("an unknown command, an unknown flag or a bad value is a usage error (exit 2)", async () => {
    for (const args of [["frobnicate"], ["status", "--frob"], ["start", "--masters", "2"], ["start", "--base-port", "x"], []]) {
      const run = await cli(args);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain("Usage: bun run cluster <command>");
    }
    const help = await cli(["help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Usage: bun run cluster <command>");
  });
});
