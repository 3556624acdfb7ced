/**
 * Plain-text tables for the CLIs: columns padded to their widest cell, two spaces apart, no
 * trailing blanks.
 */

/**
 * The rows as lines of aligned columns; the first row is usually the header.
 *
 * @example renderTable([["PORT", "ROLE"], ["7000", "master"]]) // ["PORT  ROLE", "7000  master"]
 */
export function renderTable(rows: readonly (readonly string[])[]): string[] {
  const widths = (rows[0] ?? []).map((_, column) => Math.max(...rows.map((row) => (row[column] ?? "").length)));
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join("  ").trimEnd());
}
