/**
 * The `VALUES` list of a multi-row INSERT: one statement per batch instead of one round trip per row.
 * `rows` must all have the same length; `casts[column]` (e.g. "::jsonb") is appended to that
 * column's placeholder.
 */
export function valuesList(rows: readonly (readonly unknown[])[], casts: readonly string[] = []): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const tuples = rows.map((row) => {
    const placeholders = row.map((value, column) => {
      params.push(value);
      return `$${params.length}${casts[column] ?? ""}`;
    });
    return `(${placeholders.join(", ")})`;
  });
  return { sql: tuples.join(", "), params };
}
