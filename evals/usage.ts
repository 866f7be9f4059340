/**
 * Every command's usage text in one light module: `help` prints them without loading any
 * command, and each command prints its own from here, so the two cannot drift apart.
 */
import { publicDatasetNames } from "../core/dataset/datasets.ts";
import { metricDirections } from "../core/eval/compare.ts";

const metricNames = Object.keys(metricDirections).join("|");

export const usages = {
  datasets: `npm run eval -- datasets list
npm run eval -- datasets show <name>
npm run eval -- datasets import --public ${publicDatasetNames.join("|")} [--name <name>]
npm run eval -- datasets import --file <samples.jsonl|samples.csv> --name <name> [--test-share 0.2] [--seed 1]
npm run eval -- datasets export --dataset <name>[@<version>] [--split train,test] [--out <file.jsonl>]`,
  run: `npm run eval -- run --dataset <name>[@<version>] --target local|<set>@<version>|agent:<agent>@v<n>
npm run eval -- run --dataset <name>[@<version>] --agent action-items@v1   (through the server)
    [--limit <cases>] [--concurrency <n>] [--rpm <requests per minute>]
npm run eval -- runs [--dataset <name>[@<version>]] [--limit 20]`,
  compare: `npm run eval -- compare <baseline run id> <candidate run id> [--top 10]`,
  gate: `npm run eval -- gate --dataset <name>[@<version>] --candidate <set>@<version>
    [--baseline production|local|<set>@<version>] [--margin 0.01] [--metric ${metricNames}] [--fresh]`,
  curve: `npm run eval -- curve --dataset <name>[@<version>] [--sizes 1,2,5,10,20,50] [--seeds 3]
    [--strategies random,balanced,uncertainty] [--out <file prefix>]`,
} as const;

export const usage = `Calibrate evals

${Object.values(usages).join("\n")}

Options for every command: --workspace <slug> (default: default), --prompts <directory> (default:
prompts/), --json (machine-readable output), --quiet (no progress bar).
The database comes from DATABASE_URL or DATA_DIR; the LLM endpoint from OPENAI_BASE_URL and
OPENAI_API_KEY (see .env.example). While \`npm start\` serves DATA_DIR, run and runs go through it
with CALIBRATE_TOKEN (a personal API token; CALIBRATE_URL names another server).
Exit codes: 0 done or gate passed, 1 gate failed, 2 wrong usage or unusable input, 3 anything else.`;
