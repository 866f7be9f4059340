/**
 * Runs one transcription with the prebuilt whisper.cpp of `@napi-rs/whisper`, in a child process of
 * its own (started by prebuilt-whisper-transcriber.ts). Plain JavaScript, so it starts with bare
 * `node` and no TypeScript loader.
 *
 * Why a child process and not the addon in the server's process: `Whisper#full` is synchronous (it
 * would freeze the event loop — HTTP, SSE, other jobs — for the whole chunk), cancelling it means
 * killing it, and a native crash (an illegal instruction on a CPU the prebuilt was not built for,
 * an abort inside ggml) must take down this child, not Calibrate.
 *
 *   node prebuilt-whisper-child.mjs '{"modelPath":…,"audioPath":…,"language":"zh"|null,"threads":2}'
 *
 * Prints {"language","segments":[{startMs,endMs,text}]} on stdout. Exit codes: 3 the model could
 * not be loaded (or a crash between "loading model" and "model loaded" on stderr), 4 the audio
 * could not be read, 1 anything else (message on stderr).
 * Do not call the addon's setupLogger: in 0.0.4 its callback frees its own state on the first log
 * line and the process hangs.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

function fail(code, message) {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

const request = JSON.parse(process.argv[2] ?? "{}");
let addon;
try {
  addon = require("@napi-rs/whisper");
} catch (error) {
  fail(1, `@napi-rs/whisper could not be loaded on this platform: ${error.message}`);
}
const { Whisper, WhisperFullParams, WhisperSamplingStrategy, decodeAudio } = addon;

// ggml aborts the process on some malformed files (GGML_ASSERT): these two lines let the parent
// tell "died while loading the model" from a crash later on.
process.stderr.write("calibrate: loading model\n");
let whisper;
try {
  whisper = new Whisper(request.modelPath);
} catch (error) {
  fail(3, `failed to load model ${request.modelPath}: ${error.message}`);
}
process.stderr.write("calibrate: model loaded\n");

let samples;
try {
  samples = decodeAudio(readFileSync(request.audioPath), "audio.wav");
} catch (error) {
  fail(4, `could not read ${request.audioPath}: ${error.message}`);
}

// Beam search (size 5), as whisper.cpp's own command line does, so both engines decode alike.
const params = new WhisperFullParams(WhisperSamplingStrategy.BeamSearch);
params.nThreads = request.threads;
params.language = request.language ?? "auto";
params.printProgress = false;
params.printRealtime = false;
params.printTimestamps = false;
const segments = [];
// Segments arrive through a thread-safe callback, i.e. on the event loop after `full` returns.
params.onNewSegment = (segment) => {
  segments.push({ startMs: segment.start * 10, endMs: segment.end * 10, text: segment.text });
};

const started = Date.now();
try {
  whisper.full(params, samples);
} catch (error) {
  fail(1, error.message);
}
const elapsedMs = Date.now() - started;
// Let the queued segment callbacks run before answering.
for (let turn = 0; turn < 3; turn += 1) await new Promise((resolve) => setImmediate(resolve));
const languageId = whisper.fullLangId;
process.stdout.write(
  JSON.stringify({ language: languageId >= 0 ? Whisper.lang(languageId) : null, segments, elapsedMs }),
  () => process.exit(0),
);
