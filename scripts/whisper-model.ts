/**
 * Downloads a ggml whisper model for the local transcriber and verifies its SHA-256.
 *
 *   npm run whisper:model -- base            (or: npx tsx scripts/whisper-model.ts base)
 *   npm run whisper:model -- small --directory /srv/models
 *   npm run whisper:model -- --list
 *
 * Needs internet access (huggingface.co). An existing file with the right checksum is kept, so
 * running it again is cheap. Prints the WHISPER_MODEL line to put in .env.
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

const defaultDirectory = "data/models/whisper";

function usage(): string {
  const names = [...whisperModels.values()]
    .map(
      (entry) =>
        `  ${entry.name.padEnd(10)} ~${entry.approximateMegabytes} MB${entry.multilingual ? "" : " (English only)"}`,
    )
    .join("\n");
  return `usage: npm run whisper:model -- <model> [--directory ${defaultDirectory}]\n\nmodels:\n${names}\n\n"base" is a good start for Chinese and English; "small" is noticeably better and ~3x slower.`;
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
    const url = whisperModelUrl(entry);
    console.log(`Downloading ${entry.fileName} (~${entry.approximateMegabytes} MB) from ${url}`);
    console.log("This needs internet access to huggingface.co.");
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
  console.log(`\nAdd to .env:\nWHISPER_MODEL=${destination}`);
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`whisper-model: ${error instanceof Error ? error.message : String(error)}`);
      console.error("(Downloading a model needs internet access to huggingface.co.)");
      process.exit(1);
    },
  );
}
