/**
 * The trainer sandbox in Chromium, measured inside the app with User Timing marks
 * (web/src/pages/review/performance-marks.ts):
 *
 * - keypress → next item rendered, with 10,000 items waiting in the queue (inserted directly into
 *   the database for a synthetic call): ~200 decisions typed on the keyboard (A, R and digits);
 *   target p95 < 50 ms;
 * - the call view of a 60-minute call (~800 utterances, an intent each, plus action items and
 *   talk tracks): first render (target < 1 s) and frames over 50 ms while scrolling the transcript;
 * - the rep's call page of the same call (its rep signed in: summary, 32 action items and 10 talk
 *   tracks to confirm, follow-up e-mail, beside the transcript): first render (target < 1 s);
 * - the app's initial JavaScript, gzipped: the entry chunk and the chunks it imports statically
 *   (target < 300 KB).
 *
 * The UI is built for production into a temporary directory first: `web/dist` may hold a
 * development build (a build started under vitest runs with NODE_ENV=test), which is bigger and
 * slower, and other people's tests may be serving it.
 *
 *   npx tsx bench/browser-review.ts                     # PostgreSQL (BENCH_DATABASE_URL)
 *   npx tsx bench/browser-review.ts --pglite            # PGlite in memory instead
 *   npx tsx bench/browser-review.ts --items=10000 --presses=200 --segments=800 --loads=5
 *
 * Needs Chromium (CHROMIUM_PATH, default /usr/bin/chromium) and Redis (REDIS_URL).
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import type { Db } from "../core/db/database.ts";
import { createOrganisation, testPassword } from "../tests/support/fixtures.ts";
import type { Organisation } from "../tests/support/fixtures.ts";
import { launchBrowser } from "../tests/browser/support/browser.ts";
import { repositoryRoot } from "../tests/browser/support/web-build.ts";
import { startTestServer } from "../tests/support/test-server.ts";
import type { LatencySummary } from "./support.ts";
import { describeMachine, printTable, roundMs, summarise, withBenchDatabase } from "./support.ts";

const argument = (name: string) =>
  process.argv.find((value) => value.startsWith(`--${name}=`))?.split("=")[1];
const queueSize = Number(argument("items") ?? 10_000);
const presses = Number(argument("presses") ?? 200);
const segmentCount = Number(argument("segments") ?? 800);
const loads = Number(argument("loads") ?? 5);
const kind = process.argv.includes("--pglite") ? "pglite" : "postgres";

const intents = [
  "needs_discovery",
  "product_question",
  "small_talk",
  "pricing_question",
  "scheduling",
  "commitment",
  "pricing_objection",
  "greeting",
  "closing",
];

/**
 * A call with `segments` utterances over `durationMs`, drafted by the local engine: one intent per
 * utterance, and (when asked) an action item every 25 utterances and a talk track every 80.
 */
async function insertCall(
  db: Db,
  organisation: Organisation,
  options: {
    title: string;
    segments: number;
    durationMs: number;
    extras: boolean;
  },
): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO recordings (workspace_id, team_id, owner_id, source, title, original_filename, content_sha256, byte_size,
       customer_stage, consent_confirmed_at, status, progress, duration_ms, language)
     VALUES ($1, $2, $3, 'transcript', $4, $4, md5(random()::text), 1000, 'discovery', now(), 'ready', 1, $5, 'en')
     RETURNING id`,
    [
      organisation.workspaceId,
      organisation.north.id,
      organisation.users.northRep.id,
      options.title,
      options.durationMs,
    ],
  );
  const recordingId = rows[0].id;
  const transcript = await db.query<{ id: string }>(
    `INSERT INTO transcripts (recording_id, language, transcriber) VALUES ($1, 'en', 'import') RETURNING id`,
    [recordingId],
  );
  const transcriptId = transcript.rows[0].id;
  const step = Math.floor(options.durationMs / options.segments);
  // Utterances of different lengths (one to four sentences), so rows have different heights.
  await db.query(
    `INSERT INTO segments (transcript_id, ordinal, start_ms, end_ms, speaker, text, original_text)
     SELECT $1, n, n * $3, n * $3 + $3 - 200, CASE WHEN n % 2 = 0 THEN 'Agent' ELSE 'Customer' END, t, t
     FROM generate_series(0, $2 - 1) AS n,
          LATERAL (SELECT repeat('We need to understand how your team reviews calls today and what it costs you. ', 1 + n % 4) AS t) AS x`,
    [transcriptId, options.segments, step],
  );
  const draft = await db.query<{ id: string }>(
    `INSERT INTO drafts (recording_id, transcript_id, engine, model) VALUES ($1, $2, 'local', 'local-intent@bench') RETURNING id`,
    [recordingId, transcriptId],
  );
  const draftId = draft.rows[0].id;
  await db.query(
    `INSERT INTO draft_items (draft_id, recording_id, kind, position, segment_ordinal, evidence, content, confidence)
     SELECT $1, $2, 'intent', n, n, ARRAY[n],
            jsonb_build_object('segment', n, 'intent', ($4::text[])[1 + n % 9], 'confidence', c), c
     FROM generate_series(0, $3 - 1) AS n, LATERAL (SELECT round((0.05 + (n * 7919 % 1000) / 1100.0)::numeric, 3)::float8 AS c) AS x`,
    [draftId, recordingId, options.segments, intents],
  );
  if (options.extras) {
    await db.query(
      `INSERT INTO draft_items (draft_id, recording_id, kind, position, segment_ordinal, evidence, content, confidence)
       SELECT $1, $2, 'action_item', p, p * 25 + 3, ARRAY[p * 25 + 3, p * 25 + 4],
              jsonb_build_object('type', CASE WHEN p % 5 = 0 THEN NULL ELSE 'send_quote' END, 'flagged', p % 5 = 0,
                'title', 'Send the revised quote ' || p, 'owner', 'agent', 'dueDate', '2025-06-30', 'customer', NULL,
                'notes', NULL, 'evidence', jsonb_build_array(p * 25 + 3, p * 25 + 4), 'confidence', 0.7), 0.7
       FROM generate_series(0, $3 / 25 - 1) AS p`,
      [draftId, recordingId, options.segments],
    );
    await db.query(
      `INSERT INTO draft_items (draft_id, recording_id, kind, position, segment_ordinal, evidence, content, confidence)
       SELECT $1, $2, 'talk_track', p, p * 80 + 11, ARRAY[p * 80 + 11],
              jsonb_build_object('moment', 'objection', 'evidence', jsonb_build_array(p * 80 + 11),
                'suggestion', 'Acknowledge the budget and compare the cost of the calls they lose today.',
                'rationale', 'Approved talk track for price objections.', 'confidence', 0.6), 0.6
       FROM generate_series(0, $3 / 80 - 1) AS p`,
      [draftId, recordingId, options.segments],
    );
  }
  return recordingId;
}

/** The entry chunk named by index.html and every chunk it imports statically, gzipped. */
function initialJavaScript(
  distDirectory: string,
): Array<{ file: string; bytes: number; gzipBytes: number }> {
  const html = fs.readFileSync(path.join(distDirectory, "index.html"), "utf8");
  const entry = /<script[^>]+type="module"[^>]+src="\/?([^"]+\.js)"/.exec(html)?.[1];
  if (!entry) throw new Error("No module script in web/dist/index.html.");
  const seen = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.shift()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const code = fs.readFileSync(path.join(distDirectory, file), "utf8");
    // Static imports only (`import … from "./x.js"`, `import "./x.js"`); `import("./x.js")` is lazy.
    for (const match of code.matchAll(
      /import\s*(?:[\w$*{}\s,]+?\s*from\s*)?["'](\.\.?\/[^"']+\.js)["']/g,
    )) {
      queue.push(path.posix.join(path.posix.dirname(file), match[1]));
    }
  }
  return [...seen].map((file) => {
    const content = fs.readFileSync(path.join(distDirectory, file));
    return {
      file,
      bytes: content.length,
      gzipBytes: gzipSync(content, { level: 9 }).length,
    };
  });
}

/**
 * Scrolls the transcript one step per animation frame and records the frame intervals: down at a
 * brisk wheel speed, then back up in big jumps (a dragged scrollbar). A string, not a function:
 * tsx would wrap a function in helpers that do not exist in the page.
 */
const scrollScript = `(async () => {
  const list = document.querySelector('[data-testid="call-transcript"]');
  const frames = [];
  const longFrames = [];
  const observer = PerformanceObserver.supportedEntryTypes.includes("long-animation-frame")
    ? new PerformanceObserver((entries) => { for (const entry of entries.getEntries()) longFrames.push(entry.duration); })
    : null;
  observer?.observe({ type: "long-animation-frame", buffered: false });
  const run = (step, until) => new Promise((resolve) => {
    let last = performance.now();
    const tick = (now) => {
      frames.push(now - last);
      last = now;
      if (until() || frames.length > 2000) return resolve();
      list.scrollTop += step;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  await run(80, () => list.scrollTop + list.clientHeight >= list.scrollHeight - 1);
  await run(-2000, () => list.scrollTop <= 0);
  observer?.disconnect();
  return { frames: frames.slice(1), longFrames, height: list.scrollHeight };
})()`;

const kilobytes = (bytes: number) => Math.round(bytes / 102.4) / 10;

async function main(): Promise<void> {
  console.log(`browser-review on ${kind}, ${describeMachine()}`);
  const webDirectory = fs.mkdtempSync(path.join(os.tmpdir(), "calibrate-bench-web-"));
  try {
    await measure(webDirectory);
  } finally {
    fs.rmSync(webDirectory, { recursive: true, force: true });
  }
}

function buildForProduction(outDirectory: string): void {
  execFileSync(
    process.execPath,
    [
      path.join(repositoryRoot, "node_modules/vite/bin/vite.js"),
      "build",
      "--config",
      path.join(repositoryRoot, "web/vite.config.ts"),
      "--outDir",
      outDirectory,
      "--emptyOutDir",
      "--logLevel",
      "error",
    ],
    {
      cwd: repositoryRoot,
      env: { ...process.env, NODE_ENV: "production" },
      stdio: "inherit",
    },
  );
}

async function measure(webDirectory: string): Promise<void> {
  buildForProduction(webDirectory);

  await withBenchDatabase(kind, async ({ db }) => {
    const organisation = await createOrganisation(db);
    const queueCall = await insertCall(db, organisation, {
      title: "Synthetic queue call",
      segments: queueSize,
      durationMs: queueSize * 4_000,
      extras: false,
    });
    const longCall = await insertCall(db, organisation, {
      title: "Synthetic 60-minute call",
      segments: segmentCount,
      durationMs: 60 * 60_000,
      extras: true,
    });
    // The session below is filtered to the queue call, so the long call's items do not mix in.
    await db.query("ANALYZE");

    const server = await startTestServer(db, {
      work: false,
      app: { webDirectory },
    });
    const browser = await launchBrowser();
    try {
      const { page, context } = browser;
      const signedIn = await context.request.post(`${server.baseUrl}/api/auth/sign-in`, {
        data: { email: "trainer@example.com", password: testPassword },
      });
      if (!signedIn.ok()) throw new Error(`sign-in failed: ${signedIn.status()}`);

      // 1. Keypress → next item, with 10,000 items in the queue.
      await page.goto(`${server.baseUrl}/review/session?recordingId=${queueCall}`);
      await page.getByTestId("review-item").waitFor({ timeout: 30_000 });
      // Digits need the workspace's intents, which arrive with the first call's draft.
      await page.locator(".intent-grid__option[data-intent]").nth(8).waitFor({ timeout: 30_000 });
      const queueTotal = await page.getByTestId("queue-remaining").textContent();
      const keys = ["a", "1", "a", "r", "3", "a", "7", "a", "9", "a"];
      for (let press = 0; press < presses; press += 1) {
        await page.keyboard.press(keys[press % keys.length]);
        await page.waitForFunction(
          (count) => performance.getEntriesByName("review:keypress-to-next-item").length >= count,
          press + 1,
          { timeout: 30_000 },
        );
      }
      const [keypress, commit] = await page.evaluate(() =>
        ["review:keypress-to-next-item", "review:keypress-to-commit"].map((name) =>
          performance.getEntriesByName(name).map((entry) => entry.duration),
        ),
      );
      await page
        .locator('[data-testid="save-state"][data-saving="false"]')
        .waitFor({ timeout: 60_000 });
      const { rows: saved } = await db.query<{ count: number }>(
        "SELECT count(*)::int AS count FROM decisions WHERE recording_id = $1",
        [queueCall],
      );

      // 2. The call view of a 60-minute call: full page loads, then scrolling.
      const firstRender: number[] = [];
      const openToTranscript: number[] = [];
      let renderedRows = 0;
      for (let load = 0; load < loads; load += 1) {
        await page.goto(`${server.baseUrl}/review/calls/${longCall}`);
        await page.getByTestId("call-utterance").first().waitFor({ timeout: 30_000 });
        const timing = await page.waitForFunction(() => {
          const rendered = performance.getEntriesByName("call-view:transcript-rendered")[0];
          const measure = performance.getEntriesByName("call-view:open-to-transcript")[0];
          return rendered && measure
            ? { navigation: rendered.startTime, open: measure.duration }
            : null;
        });
        const value = (await timing.jsonValue()) as {
          navigation: number;
          open: number;
        };
        firstRender.push(value.navigation);
        openToTranscript.push(value.open);
        renderedRows = await page.getByTestId("call-utterance").count();
      }

      const scrolling = (await page.evaluate(scrollScript)) as {
        frames: number[];
        longFrames: number[];
        height: number;
      };

      // 3. The rep's call page of the same call, as its rep.
      await context.clearCookies();
      const repSignedIn = await context.request.post(`${server.baseUrl}/api/auth/sign-in`, {
        data: { email: "rep.north@example.com", password: testPassword },
      });
      if (!repSignedIn.ok()) throw new Error(`rep sign-in failed: ${repSignedIn.status()}`);
      const repFirstRender: number[] = [];
      const repOpenToItems: number[] = [];
      let repItems = 0;
      for (let load = 0; load < loads; load += 1) {
        await page.goto(`${server.baseUrl}/recordings/${longCall}`);
        const timing = await page.waitForFunction(
          () => {
            const rendered = performance.getEntriesByName("rep-call:items-rendered")[0];
            const measure = performance.getEntriesByName("rep-call:open-to-items")[0];
            return rendered && measure
              ? { navigation: rendered.startTime, open: measure.duration }
              : null;
          },
          undefined,
          { timeout: 30_000 },
        );
        const value = (await timing.jsonValue()) as { navigation: number; open: number };
        repFirstRender.push(value.navigation);
        repOpenToItems.push(value.open);
        repItems = await page.getByTestId("call-item").count();
      }

      const summaryRow = (label: string, summary: LatencySummary, target: string) => ({
        measure: label,
        ...summary,
        target,
      });
      printTable(
        `Keypress → next item rendered (in-app User Timing), ${queueTotal}; target p95 < 50 ms`,
        [
          summaryRow("keypress → next item painted", summarise(keypress), "p95 < 50 ms"),
          summaryRow("keypress → next item committed", summarise(commit), "(our code)"),
        ],
      );
      console.log(`decisions saved by the server: ${saved[0].count} of ${presses}`);
      printTable(
        `Call view, ${segmentCount} utterances over 60 minutes (${loads} full page loads); target < 1 s`,
        [
          summaryRow("navigation start → transcript painted", summarise(firstRender), "< 1000 ms"),
          summaryRow("page opened → transcript painted", summarise(openToTranscript), "< 1000 ms"),
        ],
      );
      console.log(`utterance rows in the DOM: ${renderedRows} of ${segmentCount} (virtualised)`);
      printTable(
        `The rep's call page, same call: ${repItems} action items and talk tracks beside the transcript (${loads} full page loads); target < 1 s`,
        [
          summaryRow("navigation start → items painted", summarise(repFirstRender), "< 1000 ms"),
          summaryRow("page opened → items painted", summarise(repOpenToItems), "< 1000 ms"),
        ],
      );
      printTable("Scrolling the 60-minute transcript (rAF frame intervals)", [
        {
          frames: scrolling.frames.length,
          "p50 ms": roundMs(summarise(scrolling.frames)["p50 ms"]),
          "p95 ms": roundMs(summarise(scrolling.frames)["p95 ms"]),
          "max ms": roundMs(Math.max(...scrolling.frames)),
          "frames > 50 ms": scrolling.frames.filter((frame) => frame > 50).length,
          "long animation frames": scrolling.longFrames.length,
          "scroll height px": scrolling.height,
        },
      ]);
    } finally {
      await browser.close();
      await server.close();
      fs.rmSync(server.config.DATA_DIR, { recursive: true, force: true });
    }
  });

  const chunks = initialJavaScript(webDirectory);
  const total = chunks.reduce((sum, chunk) => sum + chunk.gzipBytes, 0);
  printTable(
    `Initial JavaScript (entry chunk + static imports, gzip -9): ${kilobytes(total)} KB; target < 300 KB`,
    [
      ...chunks.map((chunk) => ({
        file: chunk.file,
        KB: kilobytes(chunk.bytes),
        "gzip KB": kilobytes(chunk.gzipBytes),
      })),
      {
        file: "total",
        KB: kilobytes(chunks.reduce((sum, chunk) => sum + chunk.bytes, 0)),
        "gzip KB": kilobytes(total),
      },
    ],
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
