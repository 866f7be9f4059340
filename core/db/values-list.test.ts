import { describe, expect, it } from "vitest";
import { valuesList } from "./values-list.ts";

describe("valuesList", () => {
  it("numbers placeholders across rows and keeps the values in order", () => {
    expect(valuesList([["a", 1], ["b", 2]])).toEqual({ sql: "($1, $2), ($3, $4)", params: ["a", 1, "b", 2] });
  });

  it("appends a column's cast to each of its placeholders", () => {
    expect(valuesList([[1, "[0,1]"], [2, "[1,0]"]], ["", "::vector"]).sql).toBe("($1, $2::vector), ($3, $4::vector)");
  });

  it("gives an empty list for no rows", () => {
    expect(valuesList([])).toEqual({ sql: "", params: [] });
  });
});
