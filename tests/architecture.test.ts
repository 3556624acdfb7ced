/**
 * The house rules, checked from the source (as unstorage checks its driver rules): what may import
 * what, no import cycles, no oversized files, runtime globals only in src/runtime. Each rule lists
 * every offender with its file and line, so one run shows all there is to fix.
 *
 * Imports are read from the text (static, re-exports, `import("…")`, type-only ones included);
 * packages and `node:` builtins are always allowed.
 */
import { describe, expect, test } from "bun:test";
import { resolve } from "node:path";
import { findCycles, maskSource, readSourceGraph, scanImports, type SourceFile, type SourceImport } from "./support/source-graph.ts";

/** The most lines a file in src/ may have: past this a module holds more than one concern. */
const MAX_SOURCE_FILE_LINES = 350;

const ROOT = resolve(import.meta.dir, "..");
const graph = readSourceGraph(ROOT, "src");
const files = [...graph.files.values()];
const CACHE = "src/cache/";
const CACHE_ENTRY = "src/cache/index.ts";
/**
 * The cache's public entries: index.ts for everything but the adapters that need a client package,
 * which have one entry each, so that a process loads ioredis or `@upstash/redis` only when it
 * builds that adapter (a memory-only server starts without them). Each holds only re-exports.
 */
const CACHE_ENTRIES: ReadonlySet<string> = new Set([CACHE_ENTRY, "src/cache/redis.ts", "src/cache/upstash.ts"]);

/** Each import of the files `from` selects whose target `forbidden` refuses, as "file:line → target (specifier)". */
function offenders(from: (file: SourceFile) => boolean, forbidden: (target: string) => boolean): string[] {
  const found: string[] = [];
  for (const file of files.filter(from)) {
    for (const imported of file.imports) {
      if (imported.target !== undefined && forbidden(imported.target)) found.push(describeImport(file, imported));
    }
  }
  return found;
}

/** Whether the import statement at `imported` is `import type …` / `export type …` (erased at run time). */
function isTypeOnly(file: SourceFile, imported: SourceImport): boolean {
  const statement = file.text.split("\n")[imported.line - 1] ?? "";
  return /^\s*(?:import|export)\s+type\b/.test(statement);
}

function describeImport(file: SourceFile, imported: SourceImport): string {
  return `${file.path}:${imported.line} → ${imported.target} ("${imported.specifier}")`;
}

/** Uses of the Bun and Deno globals in masked text (comments and string contents blanked), as "line: Bun.". */
function runtimeGlobalUses(bare: string): string[] {
  const found: string[] = [];
  bare.split("\n").forEach((line, i) => {
    for (const match of line.matchAll(/(?<![\w$.])(Bun|Deno)\s*\./g)) found.push(`${i + 1}: ${match[1]}.`);
  });
  return found;
}

/** The failure message: the rule, then one offender per line. */
function report(rule: string, found: readonly string[]): string {
  return found.length === 0 ? "" : `${rule} — ${found.length} offender(s):\n  ${found.join("\n  ")}`;
}

describe("the import scanner", () => {
  test("sees static, re-exported, type-only and dynamic imports, and ignores comments and strings", () => {
    const text = [
      "/** @example",
      ' * import { a } from "./in-a-comment.ts";',
      " */",
      'import type { A } from "./type-only.ts";',
      'import { type B, c } from "./mixed.ts";',
      "import {",
      "  d,",
      "  e as f,",
      '} from "../multi-line.ts";',
      'import * as g from "node:path";',
      'import "./side-effect.ts";',
      'export { h } from "./re-export.ts";',
      'export type { I } from "./re-export-type.ts";',
      'export * from "./star.ts";',
      'const s = "import x from \'./in-a-string.ts\'"; // import("./in-a-line-comment.ts")',
      "const t = `${1}import(\"./in-a-template.ts\")`, re = /import('.\\/in-a-regex.ts')/;",
      'const lazy = () => import("./dynamic.ts");',
      'type T = typeof import("./type-query.ts");',
    ].join("\n");
    const { code, bare } = maskSource(text);
    expect(scanImports(code, bare).map((found) => found.specifier)).toEqual([
      "./type-only.ts",
      "./mixed.ts",
      "../multi-line.ts",
      "node:path",
      "./side-effect.ts",
      "./re-export.ts",
      "./re-export-type.ts",
      "./star.ts",
      "./dynamic.ts",
      "./type-query.ts",
    ]);
  });

  test("finds every import Bun's own parser finds in src/", () => {
    const transpiler = new Bun.Transpiler({ loader: "ts" });
    const missed: string[] = [];
    for (const file of files.filter((f) => f.path.endsWith(".ts"))) {
      const scanned = new Set(file.imports.map((i) => i.specifier));
      for (const { path } of transpiler.scanImports(file.text)) if (!scanned.has(path)) missed.push(`${file.path}: "${path}"`);
    }
    expect(report("imports the scanner did not see", missed)).toBe("");
    expect(files.reduce((n, f) => n + f.imports.length, 0)).toBeGreaterThan(100);
  });

  test("sees Bun. and Deno. in code, not in comments or strings", () => {
    const text = ['/** await Bun.sleep(1) */ const a = "Bun.file";', "await Bun.sleep(1);", "const b = x.Bun.y; Deno .exit(0);"].join("\n");
    expect(runtimeGlobalUses(maskSource(text).bare)).toEqual(["2: Bun.", "3: Deno."]);
  });

  test("reports a cycle as the path around it", () => {
    const file = (path: string, targets: string[]): SourceFile => ({
      path,
      lines: 1,
      text: "",
      bare: "",
      imports: targets.map((target) => ({ specifier: target, target, line: 1 })),
    });
    const sample = {
      root: "",
      files: new Map([
        ["a", file("a", ["b"])],
        ["b", file("b", ["c", "d"])],
        ["c", file("c", ["a"])],
        ["d", file("d", [])],
      ]),
    };
    expect(findCycles(sample)).toEqual([["a", "b", "c", "a"]]);
  });
});

describe("dependency rules", () => {
  test("src/cache imports nothing outside src/cache", () => {
    const found = offenders(
      (file) => file.path.startsWith(CACHE),
      (target) => !target.startsWith(CACHE),
    );
    expect(report("src/cache must import only src/cache (packages and node: builtins are fine)", found)).toBe("");
  });

  test("code outside src/cache imports the cache only through its public entries", () => {
    const found = offenders(
      (file) => !file.path.startsWith(CACHE),
      (target) => target.startsWith(CACHE) && !CACHE_ENTRIES.has(target),
    );
    expect(report(`outside src/cache, import the cache from ${[...CACHE_ENTRIES].join(", ")} only`, found)).toBe("");
  });

  test("the cache's entries besides index.ts only re-export, and index.ts loads no L2 client package", () => {
    const problems: string[] = [];
    for (const path of CACHE_ENTRIES) {
      const file = graph.files.get(path);
      if (file === undefined) {
        problems.push(`${path}: missing`);
        continue;
      }
      if (path !== CACHE_ENTRY && /\b(?:const|let|var|function|class)\b/.test(file.bare)) problems.push(`${path}: declares code; an entry only re-exports`);
    }
    // What loading index.ts loads at run time: value imports followed through src/cache (type-only ones are erased).
    const loaded = new Set<string>();
    const visit = (path: string) => {
      if (loaded.has(path)) return;
      loaded.add(path);
      const file = graph.files.get(path);
      for (const imported of file?.imports ?? []) {
        if (isTypeOnly(file!, imported)) continue;
        if (imported.target === undefined) {
          if (/^(ioredis|@upstash\/redis)(\/|$)/.test(imported.specifier)) problems.push(`${file!.path}:${imported.line} imports "${imported.specifier}", reached from ${CACHE_ENTRY}`);
        } else visit(imported.target);
      }
    };
    visit(CACHE_ENTRY);
    expect(loaded.size).toBeGreaterThan(10);
    expect(report("cache entries", problems)).toBe("");
  });

  test("src/telemetry imports neither src/bot nor cache internals", () => {
    const found = offenders(
      (file) => file.path.startsWith("src/telemetry/"),
      (target) => target.startsWith("src/bot/") || (target.startsWith(CACHE) && !CACHE_ENTRIES.has(target)),
    );
    expect(report(`src/telemetry must not import src/bot or anything in src/cache but its entries`, found)).toBe("");
  });

  test("no import cycles in src/", () => {
    const cycles = findCycles(graph).map((cycle) => cycle.join(" → "));
    expect(report("import cycles (type-only imports count)", cycles)).toBe("");
  });
});

describe("size and runtime rules", () => {
  test(`no file in src/ over ${MAX_SOURCE_FILE_LINES} lines`, () => {
    const found = files.filter((file) => file.lines > MAX_SOURCE_FILE_LINES).map((file) => `${file.path}: ${file.lines} lines`);
    expect(report(`files over MAX_SOURCE_FILE_LINES (${MAX_SOURCE_FILE_LINES})`, found)).toBe("");
  });

  test("only src/runtime references the Bun and Deno globals", () => {
    // `bare` has comments and string contents blanked: a mention in a doc example is not a use.
    const found = files
      .filter((file) => file.path.endsWith(".ts") && !file.path.startsWith("src/runtime/"))
      .flatMap((file) => runtimeGlobalUses(file.bare).map((use) => `${file.path}:${use}`));
    expect(report("Bun./Deno. outside src/runtime", found)).toBe("");
  });
});
