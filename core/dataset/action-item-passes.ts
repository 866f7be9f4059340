/**
 * The two labelling passes of the sales-call action items (datasets/sales-calls/
 * action-items-passes.jsonl; the README's "Action items: two passes" says how they were made):
 * `first` written with the calls, `second` labelled blind from the call text and the catalogue,
 * `reconciled` what `calls.jsonl` carries. `passAgreementByGroup` gives the figures the README
 * quotes: pass 2 scored against pass 1 item by item, and Cohen's kappa on a present / absent
 * table of (call, catalogue type).
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { UnprocessableError } from "../errors.ts";
import { scoreActionItems, type ItemCounts, type ScoredActionItem } from "../eval/action-item-scores.ts";
import { cohensKappa } from "../review/agreement.ts";
import {
  isThirdRoundDevCall,
  salesCallActionItemSchema,
  salesCallLabelIssues,
  type SalesCall,
  type SalesCallActionItem,
  type SalesCallLabels,
} from "./sales-calls.ts";

const salesCallsDirectory = fileURLToPath(new URL("../../datasets/sales-calls/", import.meta.url));

const passesSchema = z.object({
  id: z.string().min(1),
  first: z.array(salesCallActionItemSchema),
  second: z.array(salesCallActionItemSchema),
  reconciled: z.array(salesCallActionItemSchema),
});

export type ActionItemPasses = z.infer<typeof passesSchema>;

/**
 * The passes of every call, in the order of `calls`.
 * @throws UnprocessableError naming the line when an entry does not parse, names no call or
 *   repeats one, or when an item of any pass fails the call's label checks; and when a call has
 *   no entry.
 */
export function loadActionItemPasses(
  calls: readonly SalesCall[],
  labels: SalesCallLabels,
  options: { directory?: string } = {},
): ActionItemPasses[] {
  const path = `${(options.directory ?? salesCallsDirectory).replace(/\/+$/, "")}/action-items-passes.jsonl`;
  const byId = new Map(calls.map((call) => [call.id, call]));
  const passes = new Map<string, ActionItemPasses>();
  readFileSync(path, "utf8")
    .split("\n")
    .forEach((text, index) => {
      if (text.trim() === "") return;
      const line = index + 1;
      const parsed = passesSchema.safeParse(JSON.parse(text));
      if (!parsed.success) throw new UnprocessableError(`${path} line ${line}: ${parsed.error.message}`);
      const call = byId.get(parsed.data.id);
      if (!call) throw new UnprocessableError(`${path} line ${line}: no call "${parsed.data.id}"`);
      if (passes.has(call.id)) throw new UnprocessableError(`${path} line ${line}: call "${call.id}" repeats`);
      for (const pass of ["first", "second", "reconciled"] as const) {
        const issues = salesCallLabelIssues({ ...call, actionItems: parsed.data[pass] }, labels);
        if (issues.length > 0) throw new UnprocessableError(`${path} line ${line} (${call.id}, ${pass}): ${issues.join("; ")}`);
      }
      passes.set(call.id, parsed.data);
    });
  return calls.map((call) => {
    const entry = passes.get(call.id);
    if (!entry) throw new UnprocessableError(`${path}: no passes for call "${call.id}"`);
    return entry;
  });
}

export interface PassAgreement {
  calls: number;
  firstItems: number;
  secondItems: number;
  /**
   * Pass 2 scored against pass 1 (pass 1 as expected): items matched one to one within a call,
   * nearest evidence first, by type; by type and owner; by type and due date (both none counts).
   */
  type: ItemCounts;
  typeAndOwner: ItemCounts;
  typeAndDue: ItemCounts;
  /** Cells of the (call, catalogue type) present / absent table where both passes agree. */
  presenceAgreed: number;
  presenceCells: number;
  /** Cohen's kappa on that table; null without calls. */
  kappa: number | null;
}

type PassPair = { first: readonly SalesCallActionItem[]; second: readonly SalesCallActionItem[] };

function scoredBy(items: readonly SalesCallActionItem[], key: (item: SalesCallActionItem) => string): ScoredActionItem[] {
  return items.map((item) => ({ type: key(item), evidence: item.evidence, dueDate: null }));
}

export function passAgreement(pairs: readonly PassPair[], actionTypeIds: readonly string[]): PassAgreement {
  const scoreBy = (key: (item: SalesCallActionItem) => string) =>
    scoreActionItems(pairs.map((pair) => ({ expected: scoredBy(pair.first, key), predicted: scoredBy(pair.second, key) }))).typeOnly;
  const cells = pairs.flatMap((pair) =>
    actionTypeIds.map((type) => {
      const present = (items: readonly SalesCallActionItem[]) => (items.some((item) => item.type === type) ? "present" : "absent");
      return [present(pair.first), present(pair.second)] as const;
    }),
  );
  return {
    calls: pairs.length,
    firstItems: pairs.reduce((count, pair) => count + pair.first.length, 0),
    secondItems: pairs.reduce((count, pair) => count + pair.second.length, 0),
    type: scoreBy((item) => item.type),
    typeAndOwner: scoreBy((item) => `${item.type} ${item.owner}`),
    typeAndDue: scoreBy((item) => `${item.type} ${item.due?.date ?? "none"}`),
    presenceAgreed: cells.filter(([first, second]) => first === second).length,
    presenceCells: cells.length,
    kappa: cohensKappa(cells),
  };
}

/** Agreement over all calls, per split, and per split × language ("all", "dev", "dev/en", …). */
export function passAgreementByGroup(
  calls: readonly SalesCall[],
  passes: readonly ActionItemPasses[],
  actionTypeIds: readonly string[],
): Record<string, PassAgreement> {
  const byId = new Map(passes.map((entry) => [entry.id, entry]));
  const groups: Record<string, PassPair[]> = { all: [] };
  for (const call of calls) {
    const entry = byId.get(call.id);
    if (!entry) throw new UnprocessableError(`no passes for call "${call.id}"`);
    for (const key of ["all", call.split, `${call.split}/${call.language}`, ...(isThirdRoundDevCall(call) ? ["dev round 3"] : [])]) {
      (groups[key] ??= []).push(entry);
    }
  }
  const order = ["all", "dev", "dev/en", "dev/zh", "dev round 3", "test", "test/en", "test/zh"];
  return Object.fromEntries(
    order.filter((key) => groups[key]).map((key) => [key, passAgreement(groups[key], actionTypeIds)]),
  );
}
