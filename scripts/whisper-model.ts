/**
 * Downloads a ggml whisper model for the local transcriber and verifies its SHA-256.
 *
 *   npm run whisper:model -- base            (or: npx tsx scripts/whisper-model.ts base)
 *   npm run whisper:model -- small --directory /srv/models
 *   npm run whisper:model -- --list
 *
 * Needs internet access (huggingface.co, or the mirror in WHISPER_MODEL_URL). The default folder
 * is DATA_DIR/models, where `npm start` looks for WHISPER_MODEL_NAME on first use, so after this
 * no setting is needed. An interrupted download resumes; an existing file with the right checksum
 * is kept, so running it again is cheap.
 */
import { mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import {
  checkModelFile,
  downloadVerified,
  findWhisperModel,
  whisperModelUrl,
  whisperModels,
} from "../core/transcribe/whisper-models.ts";

const defaultDirectory = join(process.env.DATA_DIR || "data", "models");

function usage(): string {
  const names = [...whisperModels.values()]
    .map(
      (entry) =>
        `  ${entry.name.padEnd(10)} ~${entry.approximateMegabytes} MB${entry.multilingual ? "" : " (English only)"}`,
    )
    .join("\n");
  return `usage: npm run whisper:model -- <model> [--directory ${defaultDirectory}]\n\nmodels:\n${names}\n\n"small" (the default WHISPER_MODEL_NAME) handles Chinese and English well on a CPU; "base" is ~3x faster and less accurate.`;
}

async function main(argv: string[]): Promise<number> {
  if (argv.includes("--list") || argv.includes("--help") || argv.length === 0) {
    console.log(usage());
    return argv.length === 0 ? 1 : 0;
  }
  const directoryFlag = argv.indexOf("--directory");
  const directory = resolve(
    directoryFlag >= 0 ? (argv[directoryFlag + 1] ?? "") : defaultDirectory,
  );
  const name = argv.find(
    (argument, index) => !argument.startsWith("--") && index !== directoryFlag + 1,
  );
  const entry = name ? findWhisperModel(name) : null;
  if (!entry) {
    console.error(`unknown model ${JSON.stringify(name ?? "")}\n\n${usage()}`);
    return 1;
  }

  const destination = join(directory, entry.fileName);
  const existing = await checkModelFile(destination, entry.sha256);
  if (existing.status === "valid") {
    console.log(`${destination} is already present and its SHA-256 matches.`);
  } else {
    if (existing.status === "mismatch") {
      console.log(`${destination} exists but its SHA-256 does not match; downloading it again.`);
    }
    const url = whisperModelUrl(entry, process.env.WHISPER_MODEL_URL || undefined);
    console.log(`Downloading ${entry.fileName} (~${entry.approximateMegabytes} MB) from ${url}`);
    console.log("This needs internet access (set WHISPER_MODEL_URL to use a mirror); it resumes if interrupted.");
    await mkdir(directory, { recursive: true });
    let lastPercent = -1;
    await downloadVerified({
      url,
      destination,
      expectedSha256: entry.sha256,
      onProgress: (received, total) => {
        if (!total) return;
        const percent = Math.floor((received / total) * 100);
        if (percent !== lastPercent && percent % 5 === 0) {
          lastPercent = percent;
          process.stdout.write(`\r  ${percent}%`);
        }
      },
    });
    console.log(`\nSaved ${destination} (SHA-256 verified).`);
  }
  if (directory === resolve(defaultDirectory)) {
    console.log(`\nCalibrate uses it with WHISPER_MODEL_NAME=${entry.name} (or WHISPER_MODEL=${destination}).`);
  } else {
    console.log(`\nAdd to .env:\nWHISPER_MODEL=${destination}`);
  }
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`whisper-model: ${error instanceof Error ? error.message : String(error)}`);
      console.error("(Downloading a model needs internet access to huggingface.co, or a mirror in WHISPER_MODEL_URL.)");
      process.exit(1);
    },
  );
}
