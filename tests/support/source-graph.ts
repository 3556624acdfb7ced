/**
 * The import graph of a source tree, read from the text of its files (type-only imports included,
 * since they tie modules together as much as value imports do), for tests/architecture.test.ts.
 *
 * @example
 * const graph = readSourceGraph("/repo", "src");
 * graph.files.get("src/cache/cache.ts")?.imports; // [{ specifier: "./bus.ts", target: "src/cache/bus.ts" }, …]
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

/** One import of a file: what it says, and the repo-relative file it names when it is relative. */
export interface SourceImport {
  specifier: string;
  /** The repo-relative path of the file a relative specifier resolves to; undefined for packages and `node:` builtins. */
  target: string | undefined;
  /** 1-based line of the import, for messages. */
  line: number;
}

export interface SourceFile {
  /** Repo-relative path with forward slashes, e.g. `src/cache/index.ts`. */
  path: string;
  lines: number;
  text: string;
  /** The text with comments blanked and string contents blanked (same length and line breaks). */
  bare: string;
  imports: SourceImport[];
}

export interface SourceGraph {
  root: string;
  files: Map<string, SourceFile>;
}

const SOURCE_FILE = /\.(ts|tsx|mts|cts)$/;

/**
 * Reads every file under `dir` (relative to `root`): line counts for all of them, imports for the
 * TypeScript ones.
 */
export function readSourceGraph(root: string, dir: string): SourceGraph {
  const files = new Map<string, SourceFile>();
  for (const entry of readdirSync(join(root, dir), { recursive: true, encoding: "utf8" }).sort()) {
    const absolute = join(root, dir, entry);
    if (!statSync(absolute).isFile()) continue;
    const path = toRepoPath(root, absolute);
    const text = readFileSync(absolute, "utf8");
    const lines = text.length === 0 ? 0 : text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
    if (!SOURCE_FILE.test(path)) {
      files.set(path, { path, lines, text, bare: text, imports: [] });
      continue;
    }
    const { code, bare } = maskSource(text);
    const imports = scanImports(code, bare).map(({ specifier, index }) => ({
      specifier,
      target: specifier.startsWith(".") ? resolveRelative(root, absolute, specifier) : undefined,
      line: lineAt(text, index),
    }));
    files.set(path, { path, lines, text, bare, imports });
  }
  return { root, files };
}

/** The specifiers a module's text imports or re-exports, statically or with `import("…")`, in source order. */
export function scanImports(code: string, bare: string): Array<{ specifier: string; index: number }> {
  const found: Array<{ specifier: string; index: number }> = [];
  const patterns = [
    // import x from "…", import type { X } from "…", import * as x from "…", export { x } from "…", export * from "…"
    /\b(?:import|export)\s+(?:type\s+)?[\w$\s{},*]*?\bfrom\s*(["'])([^"'\n]+)\1/g,
    // import "…" (for its side effects)
    /\bimport\s*(["'])([^"'\n]+)\1/g,
    // import("…"), typeof import("…")
    /\bimport\s*\(\s*(["'`])([^"'`\n]+)\1\s*\)/g,
  ];
  for (const pattern of patterns) {
    for (const match of code.matchAll(pattern)) {
      // A match that starts inside a string literal is text, not an import.
      if (bare.slice(match.index, match.index + 6) !== code.slice(match.index, match.index + 6)) continue;
      found.push({ specifier: match[2]!, index: match.index });
    }
  }
  return found.sort((a, b) => a.index - b.index);
}

/**
 * Blanks comments (`code`) and, in `bare`, also the contents of string, template and regular
 * expression literals; both keep the text's length and line breaks, so indexes and lines still match.
 */
export function maskSource(text: string): { code: string; bare: string } {
  const code = text.split("");
  const bare = text.split("");
  const blank = (chars: string[], from: number, to: number) => {
    for (let k = from; k < to && k < chars.length; k++) if (chars[k] !== "\n") chars[k] = " ";
  };
  const templates: number[] = []; // brace depth at each open `${`
  let depth = 0;
  let previous = ""; // the last significant character of code, to tell a regex from a division
  let i = 0;

  /** Scans template text from `start` to its closing backtick or the next `${`; returns where code resumes. */
  const template = (start: number): number => {
    let j = start;
    while (j < text.length) {
      if (text[j] === "\\") j += 2;
      else if (text[j] === "`") {
        blank(bare, start, j);
        previous = "`";
        return j + 1;
      } else if (text[j] === "$" && text[j + 1] === "{") {
        blank(bare, start, j);
        templates.push(depth);
        depth++;
        previous = "{";
        return j + 2;
      } else j++;
    }
    blank(bare, start, j);
    return j;
  };

  while (i < text.length) {
    const c = text[i]!;
    const next = text[i + 1];
    if (c === "/" && next === "/") {
      const end = text.indexOf("\n", i) === -1 ? text.length : text.indexOf("\n", i);
      blank(code, i, end);
      blank(bare, i, end);
      i = end;
    } else if (c === "/" && next === "*") {
      const close = text.indexOf("*/", i + 2);
      const end = close === -1 ? text.length : close + 2;
      blank(code, i, end);
      blank(bare, i, end);
      i = end;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < text.length && text[j] !== c && text[j] !== "\n") j += text[j] === "\\" ? 2 : 1;
      blank(bare, i + 1, j);
      previous = c;
      i = j + 1;
    } else if (c === "`") {
      i = template(i + 1);
    } else if (c === "}" && templates.length > 0 && templates.at(-1) === depth - 1) {
      templates.pop();
      depth--;
      i = template(i + 1);
    } else if (c === "/" && (previous === "" || "(,=:[!&|?{};+-*%<>~^".includes(previous))) {
      let j = i + 1;
      let inClass = false;
      while (j < text.length && text[j] !== "\n") {
        if (text[j] === "\\") j++;
        else if (text[j] === "[") inClass = true;
        else if (text[j] === "]") inClass = false;
        else if (text[j] === "/" && !inClass) break;
        j++;
      }
      blank(bare, i + 1, j);
      previous = "/";
      i = j + 1;
    } else {
      if (c === "{") depth++;
      else if (c === "}") depth--;
      if (!/\s/.test(c)) previous = c;
      i++;
    }
  }
  return { code: code.join(""), bare: bare.join("") };
}

/**
 * Every elementary cycle met by a depth-first walk of the graph (one per back edge), each as the
 * list of files from its first member back to it, e.g. `[a, b, a]`. Empty when the graph has none.
 */
export function findCycles(graph: SourceGraph): string[][] {
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const seen = new Set<string>();
  const visit = (path: string) => {
    state.set(path, "open");
    stack.push(path);
    for (const { target } of graph.files.get(path)?.imports ?? []) {
      if (target === undefined || !graph.files.has(target)) continue;
      if (state.get(target) === "open") {
        const cycle = [...stack.slice(stack.indexOf(target)), target];
        // The same cycle entered at another member is the same cycle.
        const members = cycle.slice(0, -1);
        const start = members.indexOf([...members].sort()[0]!);
        const key = [...members.slice(start), ...members.slice(0, start)].join(" → ");
        if (!seen.has(key)) {
          seen.add(key);
          cycles.push(cycle);
        }
      } else if (!state.has(target)) visit(target);
    }
    stack.pop();
    state.set(path, "done");
  };
  for (const path of graph.files.keys()) if (!state.has(path)) visit(path);
  return cycles;
}

function resolveRelative(root: string, from: string, specifier: string): string {
  const base = resolve(dirname(from), specifier);
  for (const candidate of [base, `${base}.ts`, join(base, "index.ts")]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return toRepoPath(root, candidate);
  }
  return toRepoPath(root, base);
}

function toRepoPath(root: string, absolute: string): string {
  return relative(root, absolute).split("\\").join("/");
}

function lineAt(text: string, index: number): number {
  let line = 1;
  for (let k = 0; k < index; k++) if (text.charCodeAt(k) === 10) line++;
  return line;
}
