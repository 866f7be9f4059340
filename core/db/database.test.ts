import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { DataDirectoryLockedError, openPglite } from "./database.ts";
import { migrate, readMigrations } from "./migrate.ts";

const directories: string[] = [];
function temporaryDirectory(): string {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), "calibrate-pglite-"));
  directories.push(directory);
  return path.join(directory, "pglite");
}

afterEach(() => {
  for (const directory of directories.splice(0)) fs.rmSync(directory, { recursive: true, force: true });
});

/** Another process holding `directory` open: resolves once it has the database open. */
function holdInChildProcess(directory: string, then: "wait" | "exit" | "close-soon"): Promise<ChildProcess> {
  const script =
    `import { openPglite } from ${JSON.stringify(path.join(import.meta.dirname, "database.ts"))};\n` +
    `const db = await openPglite(${JSON.stringify(directory)});\n` +
    `process.stdout.write("open\\n");\n` +
    (then === "exit"
      ? "process.exit(0);\n"
      : then === "close-soon"
        ? "setTimeout(() => db.close(), 1500);\n"
        : "setInterval(() => {}, 1000);\n");
  const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      // An exiting child is only done once it has exited (and released what it held on exit).
      if (then !== "exit" && chunk.toString().includes("open")) resolve(child);
    });
    child.on("exit", (code) => (then !== "wait" && code === 0 ? resolve(child) : reject(new Error(`child exited with ${code}`))));
  });
}

describe("the embedded database's lock", () => {
  it("names a live holder's pid, and takes a dead holder's lock over at once", async () => {
    const directory = temporaryDirectory();
    const child = await holdInChildProcess(directory, "wait");
    const refused = await openPglite(directory, { lockWaitMs: 0 }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DataDirectoryLockedError);
    expect((refused as DataDirectoryLockedError).ownerPid).toBe(child.pid);

    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
    // The lock directory is still there (nothing ran on SIGKILL), but its owner is gone.
    expect(fs.existsSync(`${directory}.lock`)).toBe(true);
    const db = await openPglite(directory);
    await db.close();
    expect(fs.existsSync(`${directory}.lock`)).toBe(false);
  }, 120_000);

  it("waits a few seconds for a holder that is closing (a restart right after stopping)", async () => {
    const directory = temporaryDirectory();
    await holdInChildProcess(directory, "close-soon");
    const db = await openPglite(directory, { lockWaitMs: 60_000 });
    await db.close();
  }, 120_000);

  it("is released when the holding process exits without closing the database", async () => {
    const directory = temporaryDirectory();
    await holdInChildProcess(directory, "exit");
    expect(fs.existsSync(`${directory}.lock`)).toBe(false);
    const db = await openPglite(directory);
    await db.close();
  }, 120_000);
});

describe("embedded PGlite", () => {
  it("keeps data across restarts and refuses a second process on the same directory", async () => {
    const directory = temporaryDirectory();
    const first = await openPglite(directory);
    await migrate(first);
    await first.query("INSERT INTO workspaces (slug, name) VALUES ('kept', 'Kept')");
    await expect(openPglite(directory, { lockWaitMs: 0 })).rejects.toBeInstanceOf(DataDirectoryLockedError);
    await first.close();

    const second = await openPglite(directory);
    const { rows } = await second.query<{ name: string }>("SELECT name FROM workspaces WHERE slug = 'kept'");
    expect(rows).toEqual([{ name: "Kept" }]);
    // Migrating again applies nothing.
    expect((await migrate(second)).applied).toEqual([]);
    await second.close();
  });

  it("refuses a migration that was edited after it was applied", async () => {
    const db = await openPglite(null);
    const migrations = readMigrations();
    await migrate(db, migrations);
    const edited = migrations.map((migration, index) => (index === 0 ? { ...migration, checksum: "changed" } : migration));
    await expect(migrate(db, edited)).rejects.toThrow(/append-only/);
    await db.close();
  });

  it("has pgvector, with numbers for counts and amounts like the pg driver", async () => {
    const db = await openPglite(null);
    await db.exec("CREATE EXTENSION IF NOT EXISTS vector");
    const { rows } = await db.query<{ distance: number; count: number; amount: number }>(
      "SELECT '[1,0]'::vector <=> '[0,1]'::vector AS distance, count(*) AS count, 1.25::numeric AS amount FROM (VALUES (1)) v",
    );
    expect(rows[0]).toEqual({ distance: 1, count: 1, amount: 1.25 });
    await db.close();
  });
});
