/**
 * The header's "undo the last production move" button: after a publish it goes back to the older
 * version; after a rollback it goes forward again, to a newer one, and must not say "roll back".
 */
export type UndoDirection = "rollback" | "return";

export function undoDirection(
  target: { createdAt: string },
  production: { createdAt: string } | null,
): UndoDirection {
  if (!production) return "rollback";
  return Date.parse(target.createdAt) > Date.parse(production.createdAt) ? "return" : "rollback";
}
