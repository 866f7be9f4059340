/**
 * The speech model's first-use download as a rep sees it: a recording uploaded to a fresh install
 * (no WHISPER_MODEL, no endpoint) shows "Downloading the speech model … MB" with a progress bar,
 * live, while the worker fetches it from a local mirror (never the internet) that trickles bytes.
 */
import fs from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { speechEngineAvailability } from "../../core/transcribe/speech-engine.ts";
import type { AppUnderTest } from "./support/app-under-test.ts";
import { startAppUnderTest } from "./support/app-under-test.ts";

const stereoCall = path.resolve(import.meta.dirname, "../fixtures/audio/stereo_diarization.wav");
// ggml-tiny.bin's size; the bytes are not the model, so the download fails its checksum at the end.
const modelBytes = 77_691_713;

let app: AppUnderTest;
let mirror: Server;
const timers = new Set<ReturnType<typeof setInterval>>();

describe.skipIf(!speechEngineAvailability().prebuilt.available && !speechEngineAvailability().native.built)(
  "speech model download in the recordings list",
  () => {
    beforeAll(async () => {
      mirror = createServer((_request, response) => {
        response.writeHead(200, { "content-length": modelBytes });
        // 1 MB every 100 ms: slow enough to watch.
        const chunk = Buffer.alloc(1_000_000, 1);
        const timer = setInterval(() => response.write(chunk), 100);
        timers.add(timer);
        response.on("close", () => {
          clearInterval(timer);
          timers.delete(timer);
        });
      });
      await new Promise<void>((resolve) => mirror.listen(0, "127.0.0.1", resolve));
      app = await startAppUnderTest({
        work: true,
        environment: {
          WHISPER_MODEL_NAME: "tiny",
          WHISPER_MODEL_URL: `http://127.0.0.1:${(mirror.address() as AddressInfo).port}`,
        },
      });
    });

    afterAll(async () => {
      await app?.close();
      for (const timer of timers) clearInterval(timer);
      mirror?.closeAllConnections();
      await new Promise((resolve) => mirror?.close(resolve));
    });

    it("shows the download's progress live on the uploaded recording", async () => {
      const { page } = app;
      await app.signInAs("rep.north@example.com");
      await page.getByTestId("file-input").setInputFiles({ name: "first-call.wav", mimeType: "audio/wav", buffer: fs.readFileSync(stereoCall) });
      await page.getByTestId("consent").check();
      await page.getByTestId("upload-submit").click();
      const row = page.getByTestId("recording-row").filter({ hasText: "first-call.wav" });
      const download = row.getByTestId("speech-model-download");
      await download.waitFor({ timeout: 30_000 });
      await page.waitForFunction(
        () => /Downloading the speech model \(first use\): ([3-9]|\d\d+)\/78 MB/.test(document.querySelector('[data-testid="speech-model-download"]')?.textContent ?? ""),
        undefined,
        { timeout: 30_000 },
      );
      expect(await download.textContent()).toMatch(/Downloading the speech model \(first use\): \d+\/78 MB/);
      expect(Number(await download.getByRole("progressbar").getAttribute("aria-valuenow"))).toBeGreaterThan(0);
      await app.browser.screenshot("speech-model-download");
    });
  },
);
