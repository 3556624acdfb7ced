/**
 * Checks the observability stack's files without Docker (not available on this machine, so
 * `docker compose up` cannot run here): configs parse and are valid for the tools that load them,
 * the services point at each other consistently, and the dashboards query exactly the names the
 * collector gives the app's instruments.
 */
import { describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { ALL_INSTRUMENTS } from "../../src/telemetry/instruments.ts";
import { collectorPromName, promSeriesNames } from "../../src/telemetry/prometheus-names.ts";
import { startServer } from "../support/server-process.ts";
import { startRedis } from "../support/servers.ts";

const ROOT = resolve(import.meta.dir, "../..");
const DATASOURCE_UID = "voxedge-prom";
const DASHBOARD_DIR = "otel/grafana/dashboards";
const DASHBOARD_FILES = ["voice-bot-overview.json", "redis-cluster.json"];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Obj = { [key: string]: Json };

function readYaml(path: string): Obj {
  return Bun.YAML.parse(readFileSync(join(ROOT, path), "utf8")) as Obj;
}
async function readJson(path: string): Promise<Obj> {
  return (await Bun.file(join(ROOT, path)).json()) as Obj;
}
function obj(value: Json | undefined, what: string): Obj {
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new Error(`${what} is not a mapping`);
  return value;
}
function list(value: Json | undefined): Json[] {
  return Array.isArray(value) ? value : [];
}
function str(value: Json | undefined): string {
  return typeof value === "string" ? value : "";
}

function run(argv: string[], env?: Record<string, string>): { ok: boolean; output: string } {
  const child = Bun.spawnSync(argv, { cwd: ROOT, stdout: "pipe", stderr: "pipe", ...(env ? { env: { ...process.env, ...env } } : {}) });
  return { ok: child.exitCode === 0, output: `${child.stdout.toString()}${child.stderr.toString()}` };
}
async function runAsync(argv: string[]): Promise<{ ok: boolean; output: string }> {
  const child = Bun.spawn(argv, { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  return { ok: code === 0, output: `${out}${err}` };
}
function promtool(args: string[]): { ok: boolean; output: string } {
  return run(["promtool", ...args]);
}

const compose = readYaml("compose.yaml");
const services = obj(compose.services, "services");
const collector = readYaml("otel/collector.yaml");

describe("prometheus.yml", () => {
  test("promtool check config accepts it", () => {
    const { ok, output } = promtool(["check", "config", "otel/prometheus.yml"]);
    expect(output).toContain("SUCCESS");
    expect(ok).toBe(true);
  });

  test("promtool really rejects a broken config (the check above can fail)", () => {
    const dir = mkdtempSync(join(tmpdir(), "voxedge-promtool-"));
    try {
      writeFileSync(join(dir, "bad.yml"), "scrape_configs:\n  - job_name: x\n    honor_labels: maybe\n");
      expect(promtool(["check", "config", join(dir, "bad.yml")]).ok).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("scrapes the collector's Prometheus exporter with honor_labels, and itself", () => {
    const config = readYaml("otel/prometheus.yml");
    const jobs = list(config.scrape_configs).map((j) => obj(j, "scrape config"));
    const exporterPort = str(obj(obj(collector.exporters, "exporters").prometheus, "prometheus exporter").endpoint).split(":").at(-1);
    const collectorJob = jobs.find((j) => list(j.static_configs).some((s) => list(obj(s, "static").targets).includes(`otel-collector:${exporterPort}`)));
    expect(collectorJob?.honor_labels).toBe(true);
    expect(services["otel-collector"]).toBeDefined();
    expect(jobs.some((j) => list(j.static_configs).some((s) => list(obj(s, "static").targets).includes("localhost:9090")))).toBe(true);
  });
});

describe("collector.yaml", () => {
  test("OTLP on 0.0.0.0:4317/4318 → memory_limiter → batch → prometheus on :8889, no namespace", () => {
    const protocols = obj(obj(obj(collector.receivers, "receivers").otlp, "otlp").protocols, "protocols");
    expect(obj(protocols.grpc, "grpc").endpoint).toBe("0.0.0.0:4317");
    expect(obj(protocols.http, "http").endpoint).toBe("0.0.0.0:4318");
    const prometheus = obj(obj(collector.exporters, "exporters").prometheus, "prometheus");
    expect(prometheus.endpoint).toBe("0.0.0.0:8889");
    expect(prometheus.namespace ?? "").toBe("");
    const service = obj(collector.service, "service");
    const pipeline = obj(obj(service.pipelines, "pipelines").metrics, "metrics pipeline");
    expect(pipeline.receivers).toEqual(["otlp"]);
    expect(pipeline.processors).toEqual(["memory_limiter", "batch"]);
    expect(pipeline.exporters).toEqual(["prometheus"]);
  });

  test("every component a pipeline names is defined, and every defined one is used", () => {
    const service = obj(collector.service, "service");
    for (const kind of ["receivers", "processors", "exporters"] as const) {
      const defined = Object.keys(obj(collector[kind], kind));
      const used = Object.values(obj(service.pipelines, "pipelines")).flatMap((p) => list(obj(p, "pipeline")[kind]).map(str));
      expect(new Set(used)).toEqual(new Set(defined));
    }
    expect(new Set(list(service.extensions).map(str))).toEqual(new Set(Object.keys(obj(collector.extensions, "extensions"))));
  });
});

describe("compose.yaml", () => {
  const redisNodes = Object.keys(services).filter((name) => /^redis-node-\d+$/.test(name)).sort();

  test("has the whole stack", () => {
    for (const name of ["bot", "redis-cluster-init", "otel-collector", "prometheus", "grafana"]) expect(services[name]).toBeDefined();
    expect(redisNodes).toHaveLength(6);
    const bot = obj(services.bot, "bot");
    // Built from ./Dockerfile: no source mount, no install at container start.
    expect(bot.build).toBe(".");
    expect(bot.command).toBeUndefined();
    expect(str(obj(services["otel-collector"], "collector").image)).toStartWith("otel/opentelemetry-collector-contrib");
  });

  test("every bind-mounted file exists and every named volume is declared", () => {
    const declared = Object.keys(obj(compose.volumes, "volumes"));
    let binds = 0;
    for (const [name, service] of Object.entries(services)) {
      for (const volume of list(obj(service, name).volumes).map(str)) {
        const source = volume.split(":")[0]!;
        if (source.startsWith(".") || source.startsWith("/")) {
          binds++;
          expect({ service: name, source, exists: existsSync(resolve(ROOT, source)) }).toEqual({ service: name, source, exists: true });
        } else {
          expect(declared).toContain(source);
        }
      }
    }
    // The collector, Prometheus and Grafana configs (the bot runs its image, with no mount).
    expect(binds).toBeGreaterThanOrEqual(4);
  });

  test("depends_on only names services that exist", () => {
    for (const [name, service] of Object.entries(services)) {
      const deps = obj(service, name).depends_on;
      const names = Array.isArray(deps) ? deps.map(str) : deps ? Object.keys(obj(deps, "depends_on")) : [];
      for (const dep of names) expect(Object.keys(services)).toContain(dep);
    }
  });

  test("each Redis node runs in cluster mode and announces its own service name", () => {
    for (const name of redisNodes) {
      const node = obj(services[name], name);
      expect(node.image).toBe("redis:7");
      const command = str(node.command);
      expect(command).toContain("--cluster-enabled yes");
      expect(command).toContain(`--cluster-announce-hostname ${name} `);
      expect(command).toContain("--cluster-preferred-endpoint-type hostname");
      expect(list(node.volumes).map(str)).toEqual([`${name}:/data`]);
    }
  });

  test("the bot's environment points at the cluster nodes and the collector's OTLP/HTTP port", () => {
    const env = obj(obj(services.bot, "bot").environment, "bot environment");
    expect(env.CACHE_L2).toBe("redis-cluster");
    expect(str(env.REDIS_CLUSTER_NODES).split(",").sort()).toEqual(redisNodes.map((n) => `${n}:6379`));
    const otlp = new URL(str(env.OTEL_EXPORTER_OTLP_ENDPOINT));
    expect(services[otlp.hostname]).toBeDefined();
    const httpReceiver = str(obj(obj(obj(obj(collector.receivers, "r").otlp, "otlp").protocols, "p").http, "http").endpoint);
    expect(otlp.port).toBe(httpReceiver.split(":").at(-1)!);
    expect(list(obj(services.bot, "bot").ports).map(str)).toContain("3000:3000");
    const init = obj(services["redis-cluster-init"], "init");
    expect(str(obj(init.environment, "init environment").REDIS_NODES).split(" ").sort()).toEqual(redisNodes.map((n) => `${n}:6379`));
    expect(obj(obj(obj(services.bot, "bot").depends_on, "deps")["redis-cluster-init"], "dep").condition).toBe("service_completed_successfully");
  });

  test("Grafana loads the provisioning and the dashboards from where the provider looks", () => {
    const grafana = obj(services.grafana, "grafana");
    const mounts = new Map(list(grafana.volumes).map(str).map((v) => [v.split(":")[0]!, v.split(":")[1]!]));
    expect(mounts.get("./otel/grafana/provisioning")).toBe("/etc/grafana/provisioning");
    const provider = obj(list(readYaml("otel/grafana/provisioning/dashboards/voxedge.yaml").providers)[0]!, "provider");
    expect(obj(provider.options, "options").path).toBe(mounts.get(`./${DASHBOARD_DIR}`)!);
    const datasource = obj(list(readYaml("otel/grafana/provisioning/datasources/prometheus.yaml").datasources)[0]!, "datasource");
    expect(datasource.uid).toBe(DATASOURCE_UID);
    expect(services[new URL(str(datasource.url)).hostname]).toBeDefined();
  });
});

/** The init service's shell script as the shell will see it: compose turns `$$` into `$`. */
function initScript(): string {
  const init = obj(services["redis-cluster-init"], "init");
  expect(init.entrypoint).toEqual(["sh", "-c"]);
  const raw = str(list(init.command)[0]);
  // A single `$` would be interpolated by compose itself (and come out empty).
  expect(raw.replaceAll("$$", "")).not.toContain("$");
  return raw.replaceAll("$$", "$");
}

async function runInit(script: string, nodes: string): Promise<{ code: number; output: string }> {
  const child = Bun.spawn(["sh", "-c", script], { env: { ...process.env, REDIS_NODES: nodes }, stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  return { code, output: out + err };
}

test("redis-cluster-init creates a cluster once and leaves it alone afterwards", async () => {
  // Six real cluster-enabled redis-servers on loopback stand in for the compose nodes.
  const servers = await Promise.all(Array.from({ length: 6 }, () => startRedis({ cluster: true })));
  try {
    const nodes = servers.map((s) => `127.0.0.1:${s.port}`).join(" ");
    const script = initScript();

    const first = await runInit(script, nodes);
    expect(first.output).toContain("redis-cluster-init: cluster created");
    expect(first.code).toBe(0);

    const second = await runInit(script, nodes);
    expect(second.output).toContain("cluster already created, nothing to do");
    expect(second.code).toBe(0);

    // Gossip tells the last node about every other, and that node then sees every slot served,
    // within a second or two of the create: wait for both (a hang guard, not a timing target).
    const clusterInfo = () => Bun.spawnSync(["redis-cli", "-p", String(servers[3]!.port), "cluster", "info"]).stdout.toString();
    const settled = (text: string) => text.includes("cluster_known_nodes:6") && text.includes("cluster_state:ok");
    let info = clusterInfo();
    for (let i = 0; i < 100 && !settled(info); i++) {
      await Bun.sleep(100);
      info = clusterInfo();
    }
    expect(info).toContain("cluster_state:ok");
    expect(info).toContain("cluster_size:3");
    expect(info).toContain("cluster_known_nodes:6");
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}, 90_000);

interface PanelTarget {
  panel: string;
  description: string;
  expr: string;
}

async function dashboards(): Promise<{ file: string; dashboard: Obj }[]> {
  return Promise.all(DASHBOARD_FILES.map(async (file) => ({ file, dashboard: await readJson(`${DASHBOARD_DIR}/${file}`) })));
}

function panelsOf(dashboard: Obj): Obj[] {
  return list(dashboard.panels).flatMap((p) => {
    const panel = obj(p, "panel");
    return [panel, ...list(panel.panels).map((inner) => obj(inner, "panel"))];
  });
}

function targetsOf(dashboard: Obj): PanelTarget[] {
  return panelsOf(dashboard).flatMap((panel) =>
    list(panel.targets).map((t) => ({ panel: str(panel.title), description: str(panel.description), expr: str(obj(t, "target").expr) })),
  );
}

function templatingQueries(dashboard: Obj): string[] {
  return list(obj(dashboard.templating ?? { list: [] }, "templating").list).map((v) => {
    const query = obj(v, "variable").query;
    return typeof query === "string" ? query : str(obj(query ?? {}, "query").query);
  });
}

const METRIC_IN_EXPR = /\b(?:voxedge|http_server|gen_ai_client)_[A-Za-z0-9_]*/g;

/** Names a dashboard may query: the collector-path names of the instruments, with histogram series. */
function allowedMetricNames(): Map<string, string> {
  const allowed = new Map<string, string>();
  for (const instrument of ALL_INSTRUMENTS) {
    for (const series of promSeriesNames(collectorPromName(instrument), instrument.kind)) allowed.set(series, instrument.name);
  }
  return allowed;
}

/** Metric names in `exprs` that no instrument produces on the collector path. */
function unknownMetricNames(exprs: string[]): string[] {
  const allowed = allowedMetricNames();
  return exprs.flatMap((expr) => [...expr.matchAll(METRIC_IN_EXPR)].map((m) => m[0])).filter((name) => !allowed.has(name));
}

describe("dashboards", () => {
  test("every metric name in a query is the collector-path name of a declared instrument", async () => {
    for (const { file, dashboard } of await dashboards()) {
      const exprs = [...targetsOf(dashboard).map((t) => t.expr), ...templatingQueries(dashboard)];
      expect({ file, unknown: unknownMetricNames(exprs) }).toEqual({ file, unknown: [] });
    }
  });

  test("the drift check catches direct-path and invented names", () => {
    expect(unknownMetricNames(["rate(voxedge_bot_turn_duration_bucket[5m])", "voxedge_cache_hits_total", "http_server_request_duration_seconds_count"])).toEqual([
      "voxedge_bot_turn_duration_bucket",
      "voxedge_cache_hits_total",
    ]);
  });

  test("every instrument appears in at least one panel", async () => {
    const allowed = allowedMetricNames();
    const used = new Set<string>();
    for (const { dashboard } of await dashboards()) {
      for (const { expr } of targetsOf(dashboard)) for (const m of expr.matchAll(METRIC_IN_EXPR)) used.add(allowed.get(m[0]) ?? "");
    }
    expect(ALL_INSTRUMENTS.map((i) => i.name).filter((name) => !used.has(name))).toEqual([]);
  });

  test("each panel's description names the metrics it reads", async () => {
    for (const { dashboard } of await dashboards()) {
      for (const { panel, description, expr } of targetsOf(dashboard)) {
        for (const m of expr.matchAll(METRIC_IN_EXPR)) {
          const base = m[0].replace(/_(bucket|sum|count)$/, "");
          expect({ panel, mentions: description.includes(base) }).toEqual({ panel, mentions: true });
        }
      }
    }
  });

  test("every panel, target and variable uses the provisioned data source uid", async () => {
    const uids = new Set<string>();
    for (const { dashboard } of await dashboards()) {
      for (const panel of panelsOf(dashboard)) {
        if (panel.type === "row") continue;
        uids.add(str(obj(panel.datasource, "panel datasource").uid));
        for (const t of list(panel.targets)) uids.add(str(obj(obj(t, "target").datasource, "target datasource").uid));
      }
      for (const v of list(obj(dashboard.templating, "templating").list)) {
        const ds = obj(v, "variable").datasource;
        if (ds !== undefined) uids.add(str(obj(ds, "variable datasource").uid));
      }
    }
    expect([...uids]).toEqual([DATASOURCE_UID]);
  });

  test("dashboards have unique uids and panel ids, and every panel has a description and a query", async () => {
    const all = await dashboards();
    expect(new Set(all.map((d) => d.dashboard.uid)).size).toBe(all.length);
    for (const { dashboard } of all) {
      const panels = panelsOf(dashboard);
      expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
      for (const panel of panels.filter((p) => p.type !== "row")) {
        expect(str(panel.description).length).toBeGreaterThan(20);
        expect(list(panel.targets).length).toBeGreaterThan(0);
      }
    }
  });

  test("every query is valid PromQL (promtool check rules, Grafana variables substituted)", async () => {
    const exprs = (await dashboards()).flatMap(({ dashboard }) => targetsOf(dashboard).map((t) => t.expr));
    const promql = exprs.map((e) =>
      e.replaceAll("$__rate_interval", "1m").replaceAll("$__range", "1h").replace(/\$[a-z_0-9]+/g, ".*"),
    );
    const rules = { groups: [{ name: "dashboards", rules: promql.map((expr, i) => ({ record: `dashboard:query_${i}`, expr })) }] };
    const dir = mkdtempSync(join(tmpdir(), "voxedge-promql-"));
    try {
      const file = join(dir, "rules.yml");
      writeFileSync(file, JSON.stringify(rules)); // JSON is YAML
      const { ok, output } = promtool(["check", "rules", file]);
      expect(output).toContain(`SUCCESS: ${promql.length} rules found`);
      expect(ok).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** One Dockerfile instruction, continuation lines joined; `stage` counts FROMs from 0. */
interface DockerInstruction {
  keyword: string;
  args: string;
  stage: number;
}

function readDockerfile(): DockerInstruction[] {
  const instructions: DockerInstruction[] = [];
  let stage = -1;
  const text = readFileSync(join(ROOT, "Dockerfile"), "utf8").replace(/\\\n/g, " ");
  for (const line of text.split("\n").map((l) => l.trim())) {
    if (line === "" || line.startsWith("#")) continue;
    const keyword = line.split(/\s+/)[0]!.toUpperCase();
    if (keyword === "FROM") stage++;
    instructions.push({ keyword, args: line.slice(keyword.length).trim(), stage });
  }
  return instructions;
}

/** The JSON (exec form) argument list after `CMD`, as HEALTHCHECK and CMD write it. */
function execForm(args: string): string[] {
  const json = args.slice(args.indexOf("["));
  return JSON.parse(json) as string[];
}

describe("Dockerfile", () => {
  const instructions = readDockerfile();
  const finalStage = Math.max(...instructions.map((i) => i.stage));
  const inFinal = (keyword: string) => instructions.filter((i) => i.stage === finalStage && i.keyword === keyword);

  test("builds in stages from oven/bun:1, installing production dependencies from the lock file", () => {
    const froms = instructions.filter((i) => i.keyword === "FROM");
    expect(froms.length).toBeGreaterThanOrEqual(2);
    for (const from of froms) expect(from.args).toMatch(/^oven\/bun:1( AS [\w-]+)?$/i);
    const install = instructions.filter((i) => i.keyword === "RUN" && i.args.includes("bun install"));
    expect(install.map((i) => i.args)).toEqual(["bun install --frozen-lockfile --production"]);
    const depsStage = install[0]!.stage;
    expect(depsStage).not.toBe(finalStage);
    // Only the manifest and the lock file decide the dependency layer.
    expect(instructions.filter((i) => i.stage === depsStage && i.keyword === "COPY").map((i) => i.args)).toEqual(["package.json bun.lock ./"]);
    const depsName = /\bAS ([\w-]+)$/i.exec(froms[depsStage]!.args)?.[1];
    expect(inFinal("COPY").map((i) => i.args)).toContain(`--from=${depsName} /app/node_modules ./node_modules`);
    expect(inFinal("RUN")).toEqual([]);
  });

  test("runs the same `bun run server` as package.json, as a non-root user", async () => {
    const scripts = ((await readJson("package.json")).scripts ?? {}) as Obj;
    expect(str(scripts.server)).toStartWith("bun src/server.ts");
    const cmd = inFinal("CMD");
    expect(cmd).toHaveLength(1);
    expect(execForm(cmd[0]!.args)).toEqual(["bun", "run", "server"]);
    const users = inFinal("USER").map((i) => i.args);
    expect(users).toHaveLength(1);
    expect(["root", "0", "0:0"]).not.toContain(users[0]!);
    const order = instructions.filter((i) => i.stage === finalStage).map((i) => i.keyword);
    expect(order.indexOf("USER")).toBeLessThan(order.indexOf("CMD"));
  });

  test("copies only files that exist and that .dockerignore lets through; secrets and local state stay out", () => {
    const ignored = readFileSync(join(ROOT, ".dockerignore"), "utf8").split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
    for (const secret of [".env", ".git", "node_modules", ".tmp"]) expect(ignored).toContain(secret);
    const sources = instructions
      .filter((i) => i.keyword === "COPY" && !i.args.startsWith("--from="))
      .flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    expect(sources).toContain("src");
    for (const source of sources) {
      expect({ source, exists: existsSync(join(ROOT, source)), ignored: ignored.includes(source) }).toEqual({ source, exists: true, ignored: false });
    }
  });

  test("the HEALTHCHECK asks /health with bun's fetch: it passes on a serving bot and fails when none answers", async () => {
    const healthchecks = inFinal("HEALTHCHECK");
    expect(healthchecks).toHaveLength(1);
    const argv = execForm(healthchecks[0]!.args);
    expect(argv[0]).toBe("bun");
    expect(argv.join(" ")).toContain("/health");
    const server = await startServer({});
    try {
      expect(run(argv, { PORT: String(server.port) })).toMatchObject({ ok: true });
    } finally {
      await server.stop();
    }
    // The same port, now closed.
    expect(run(argv, { PORT: String(server.port) })).toMatchObject({ ok: false });
  });
});

describe("compose.yaml and the image", () => {
  test("the bot service builds ./Dockerfile and runs the image's command, not a mounted checkout", () => {
    const bot = obj(services.bot, "bot");
    expect(bot.build).toBe(".");
    expect(existsSync(join(ROOT, "Dockerfile"))).toBe(true);
    expect(bot.image).not.toBe("oven/bun:1");
    expect(bot.volumes).toBeUndefined();
    expect(bot.working_dir).toBeUndefined();
    // The image defaults to production (token required); the local stack runs unsigned, as before.
    expect(obj(bot.environment, "bot environment").NODE_ENV).toBe("development");
  });

  // docker-compose is a Python program that starts slowly on a busy machine: these get more time.
  test("docker-compose config accepts compose.yaml, resolving the build context to the checkout", async () => {
    const { ok, output } = await runAsync(["docker-compose", "-f", "compose.yaml", "config"]);
    expect({ ok, output: ok ? "" : output }).toEqual({ ok: true, output: "" });
    const resolved = obj(Bun.YAML.parse(output) as Json, "resolved compose");
    const build = obj(obj(obj(resolved.services, "services").bot, "bot").build, "bot build");
    expect(build.context).toBe(ROOT);
  }, 60_000);

  test("docker-compose config really rejects a broken compose file (the check above can fail)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "voxedge-compose-"));
    try {
      writeFileSync(join(dir, "compose.yaml"), "services:\n  bot:\n    build: .\n    ports: oops\n");
      const { ok, output } = await runAsync(["docker-compose", "-f", join(dir, "compose.yaml"), "config", "--quiet"]);
      expect(ok).toBe(false);
      expect(output).toContain("ports");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
