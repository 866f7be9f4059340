/**
 * Issue 3's upload benchmark: 50 concurrent uploads of 20 MB each against the real API server (in
 * its own process, so its memory is measured alone): all stored, none lost, peak memory of the
 * server process. Target: flat, under 300 MB.
 *
 *   npx tsx bench/uploads.ts [--count 50] [--megabytes 20]
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { createTeam, defaultWorkspaceId } from "../core/auth/teams.ts";
import { createUser } from "../core/auth/users.ts";
import { benchRedisUrl, describeMachine, printTable, randomSuffix, summarise, withBenchDatabase } from "./support.ts";

const { values } = parseArgs({ options: { count: { type: "string", default: "50" }, megabytes: { type: "string", default: "20" } } });
const count = Number(values.count);
const bytesPerFile = Number(values.megabytes) * 1024 * 1024;
const password = "benchmark password";

function memoryOf(pid: number): { rssMb: number; peakMb: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const field = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) / 1024;
  return { rssMb: Math.round(field("VmRSS")), peakMb: Math.round(field("VmHWM")) };
}

/** A valid 16-bit PCM WAV of `bytes` bytes whose samples differ per file (distinct content hashes). */
function writeWav(file: string, bytes: number, variant: number): void {
  const dataBytes = bytes - 44;
  const header = Buffer.alloc(44);
  header.write("RIFF", 0);
  header.writeUInt32LE(36 + dataBytes, 4);
  header.write("WAVEfmt ", 8);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(2, 22); // stereo
  header.writeUInt32LE(16_000, 24);
  header.writeUInt32LE(16_000 * 4, 28);
  header.writeUInt16LE(4, 32);
  header.writeUInt16LE(16, 34);
  header.write("data", 36);
  header.writeUInt32LE(dataBytes, 40);
  const descriptor = fs.openSync(file, "w");
  fs.writeSync(descriptor, header);
  const block = Buffer.alloc(1024 * 1024);
  for (let index = 0; index < block.length; index += 2) block.writeInt16LE(Math.round(3000 * Math.sin((index + variant * 7) / 40)), index);
  for (let written = 0; written < dataBytes; written += block.length) fs.writeSync(descriptor, block, 0, Math.min(block.length, dataBytes - written));
  fs.closeSync(descriptor);
}

async function main() {
  console.log(`Upload benchmark: ${count} concurrent uploads of ${values.megabytes} MB. ${describeMachine()}`);
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), "calibrate-bench-uploads-"));
  try {
    const files = Array.from({ length: count }, (_, index) => path.join(directory, `call-${index}.wav`));
    files.forEach((file, index) => writeWav(file, bytesPerFile, index));

    await withBenchDatabase("postgres", async (database) => {
      const workspaceId = await defaultWorkspaceId(database.db);
      const team = await createTeam(database.db, { workspaceId, name: "Bench" });
      await createUser(database.db, { workspaceId, teamId: team.id, email: "bench@example.com", role: "rep", password });
      const port = 20_000 + Math.floor(Math.random() * 20_000);
      const storage = path.join(directory, "storage");
      const server = spawn(process.execPath, ["--import", "tsx", "server/main.ts"], {
        env: {
          ...process.env,
          DATABASE_URL: database.url!,
          REDIS_URL: benchRedisUrl,
          QUEUE_PREFIX: `bench-uploads-${randomSuffix()}`,
          PORT: String(port),
          STORAGE_DIR: storage,
          LOG_LEVEL: "warn",
          UPLOAD_MAX_BYTES: String(bytesPerFile * 2),
        },
        stdio: ["ignore", "inherit", "inherit"],
      });
      try {
        const baseUrl = `http://127.0.0.1:${port}`;
        for (let attempt = 0; ; attempt++) {
          try {
            if ((await fetch(`${baseUrl}/healthz`)).status > 0) break;
          } catch {
            if (attempt > 600) throw new Error("the server did not start");
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
        }
        const signIn = await fetch(`${baseUrl}/api/auth/sign-in`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ email: "bench@example.com", password }),
        });
        const cookie = signIn.headers.get("set-cookie")!.split(";")[0];
        const { csrfToken } = (await signIn.json()) as { csrfToken: string };
        const idle = memoryOf(server.pid!);

        let peakDuring = idle.rssMb;
        const sampler = setInterval(() => (peakDuring = Math.max(peakDuring, memoryOf(server.pid!).rssMb)), 50);
        const started = performance.now();
        const results = await Promise.all(
          files.map(async (file) => {
            const form = new FormData();
            form.append("customerStage", "discovery");
            form.append("consent", "true");
            // Read lazily from disk by fetch: the client does not hold 20 MB per upload either.
            form.append("file", await fs.openAsBlob(file, { type: "audio/wav" }), path.basename(file));
            const begun = performance.now();
            const response = await fetch(`${baseUrl}/api/recordings`, { method: "POST", headers: { cookie, "x-csrf-token": csrfToken }, body: form });
            await response.arrayBuffer();
            return { status: response.status, ms: performance.now() - begun };
          }),
        );
        const seconds = (performance.now() - started) / 1000;
        clearInterval(sampler);
        const after = memoryOf(server.pid!);

        const stored = await database.db.query<{ count: number; bytes: number }>("SELECT count(*)::int AS count, sum(byte_size)::float8 AS bytes FROM recordings");
        const blobs = fs.readdirSync(storage, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile() && /^[a-f0-9]{64}$/.test(entry.name));
        const latency = summarise(results.map((result) => result.ms));
        printTable("Uploads: all stored, none lost", [
          {
            uploads: count,
            "201 Created": results.filter((result) => result.status === 201).length,
            "rows stored": stored.rows[0].count,
            "files stored": blobs.length,
            "bytes stored (MB)": Math.round(stored.rows[0].bytes / 1024 / 1024),
            "wall time (s)": Number(seconds.toFixed(1)),
            "throughput (MB/s)": Number(((count * bytesPerFile) / 1024 / 1024 / seconds).toFixed(1)),
            "per upload p50 (ms)": latency["p50 ms"],
            "per upload p95 (ms)": latency["p95 ms"],
          },
        ]);
        printTable("Server process memory (target: flat, under 300 MB)", [
          { "idle RSS (MB)": idle.rssMb, "peak RSS during uploads (MB)": peakDuring, "peak RSS, kernel high-water mark (MB)": after.peakMb, "RSS after (MB)": after.rssMb },
        ]);
        if (stored.rows[0].count !== count || blobs.length !== count) process.exitCode = 1;
      } finally {
        server.kill("SIGTERM");
        await new Promise((resolve) => server.once("exit", resolve));
      }
    });
  } finally {
    fs.rmSync(directory, { recursive: true, force: true });
  }
}

await main();
