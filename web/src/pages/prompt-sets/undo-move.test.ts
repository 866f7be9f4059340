import { describe, expect, it } from "vitest";
import { undoDirection } from "./undo-move.ts";

describe("undoing the last production move", () => {
  const v1 = { createdAt: "2026-01-01T10:00:00.000Z" };
  const v2 = { createdAt: "2026-02-01T10:00:00.000Z" };

  it("rolls back to an older version after a publish", () => {
    expect(undoDirection(v1, v2)).toBe("rollback");
  });

  it("returns forward to the newer version after a rollback", () => {
    expect(undoDirection(v2, v1)).toBe("return");
  });
});
