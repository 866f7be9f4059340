import { describe, expect, it } from "vitest";
import { filtersFromSearch, searchFromFilters } from "./queue-filters.ts";

describe("queue filters in the address", () => {
  it("reads known values and drops unknown ones", () => {
    expect(
      filtersFromSearch(
        "order=newest&kind=intent&engine=gpt&teamId=%20t1%20&intent=pricing_question&x=1",
      ),
    ).toEqual({
      order: "newest",
      kind: "intent",
      teamId: "t1",
      intent: "pricing_question",
    });
    expect(filtersFromSearch("order=random&kind=")).toEqual({});
  });

  it("writes only what is set, leaving the default order out, and reads it back", () => {
    expect(searchFromFilters({ order: "balanced" })).toBe("");
    const filters = {
      order: "oldest",
      customerStage: "closed_won",
      promptSetVersion: "default@v2",
    } as const;
    const search = searchFromFilters(filters);
    expect(search).toBe("?order=oldest&customerStage=closed_won&promptSetVersion=default%40v2");
    expect(filtersFromSearch(search.slice(1))).toEqual(filters);
  });

  it("reads a customer-outcome filter and drops unknown outcomes", () => {
    expect(filtersFromSearch("outcome=advanced")).toEqual({ outcome: "advanced" });
    expect(filtersFromSearch("outcome=teleported")).toEqual({});
    expect(filtersFromSearch(searchFromFilters({ outcome: "won" }).slice(1))).toEqual({ outcome: "won" });
  });
});
