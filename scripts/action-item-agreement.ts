/**
 * Prints the agreement between the two action-item passes of the sales-call set (the README's
 * "Action items: two passes" table): `npx tsx scripts/action-item-agreement.ts`. No engine runs.
 */
import { defaultActionCatalogue } from "../core/draft/action-catalogue.ts";
import { defaultIntents } from "../core/draft/taxonomy.ts";
import { loadActionItemPasses, passAgreementByGroup } from "../core/dataset/action-item-passes.ts";
import { loadSalesCalls } from "../core/dataset/sales-calls.ts";
import type { ItemCounts } from "../core/eval/action-item-scores.ts";

const labels = {
  intentIds: defaultIntents.map((intent) => intent.id),
  actionTypeIds: defaultActionCatalogue.map((type) => type.id),
};
const calls = loadSalesCalls(labels);
const groups = passAgreementByGroup(calls, loadActionItemPasses(calls, labels), labels.actionTypeIds);

const number = (value: number | null) => (value === null ? "–" : value.toFixed(3));
const prf = (counts: ItemCounts) => `${number(counts.precision)} / ${number(counts.recall)} / ${number(counts.f1)}`;
console.log("| calls | group | items pass 1 / pass 2 | type P / R / F1 | type+owner F1 | type+due F1 | (call, type) cells agreed | kappa |");
console.log("| --- | --- | --- | --- | --- | --- | --- | --- |");
for (const [group, agreement] of Object.entries(groups)) {
  console.log(
    `| ${agreement.calls} | ${group} | ${agreement.firstItems} / ${agreement.secondItems} | ${prf(agreement.type)} | ` +
      `${number(agreement.typeAndOwner.f1)} | ${number(agreement.typeAndDue.f1)} | ` +
      `${agreement.presenceAgreed} / ${agreement.presenceCells} | ${number(agreement.kappa)} |`,
  );
}
