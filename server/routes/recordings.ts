/**
 * Recordings over HTTP. Uploads are streamed (busboy) straight into the blob store — never buffered
 * whole in memory — then probed with ffprobe before anything is recorded, so a bad file gets a clear
 * error and leaves nothing half-made.
 */
import type { Readable } from "node:stream";
import { Router } from "express";
import type { Request, Response } from "express";
import busboy from "busboy";
import { z } from "zod";
import { CalibrateError, PayloadTooLargeError, UnprocessableError, ValidationError } from "../../core/errors.ts";
import type { Db } from "../../core/db/database.ts";
import type { BlobStore } from "../../core/upload/blob-store.ts";
import type { LeasedBlob } from "../../core/upload/blob-references.ts";
import { receiveBlob, releaseBlob } from "../../core/upload/blob-references.ts";
import { formatBytes } from "../../core/upload/blob-store.ts";
import {
  checkFileName,
  checkUploadTarget,
  createAudioRecording,
  eraseRecording,
  getRecording,
  getTranscript,
  importTranscript,
  listRecordings,
  recordingMetadataSchema,
  recordingStatuses,
  retryRecording,
  workspaceStages,
} from "../../core/upload/recordings.ts";
import type { Recording } from "../../core/upload/recordings.ts";
import { parseTranscript } from "../../core/upload/transcript-formats.ts";
import { probeAudio } from "../../core/transcribe/probe-audio.ts";
import { mediaToolsEnvironment, resolveMediaToolsOnce } from "../../core/transcribe/resolve-media-tools.ts";
import type { AppContext } from "../context.ts";
import { actorOf, allow } from "../http/authenticate.ts";
import { sendError } from "../http/errors.ts";
import { params, query } from "../http/validate.ts";

const idParams = z.object({ id: z.uuid() });
const maxTranscriptBytes = 20 * 1024 * 1024;

interface ReceivedUpload {
  fields: Record<string, string>;
  fileName: string;
  mediaType: string | null;
  blob: LeasedBlob;
}

/** Parses a multipart upload with exactly one file, streaming the file into the blob store. */
function receiveUpload(request: Request, deps: { db: Db; blobs: BlobStore }, maxBytes: number): Promise<ReceivedUpload> {
  return new Promise((resolve, reject) => {
    if (!request.is("multipart/form-data")) {
      reject(new ValidationError("Send the file as multipart/form-data with a part named \"file\".", undefined, { key: "upload.not_multipart" }));
      return;
    }
    let parser: busboy.Busboy;
    try {
      // File names arrive as UTF-8 (Chinese names included) from every current browser.
      // preservePath: a name with a directory in it is refused by checkFileName (no browser sends
      // one), rather than silently cut to its last part.
      parser = busboy({ headers: request.headers, defParamCharset: "utf8", preservePath: true, limits: { files: 1, fields: 30, fieldSize: 10_000, parts: 40 } });
    } catch (error) {
      reject(new ValidationError(`Malformed multipart request: ${(error as Error).message}`, undefined, { key: "upload.malformed_multipart" }));
      return;
    }
    const fields: Record<string, string> = {};
    let stored: Promise<ReceivedUpload> | null = null;
    let fileStream: Readable | null = null;
    // The client went away mid-body: nothing tells busboy, so end the file stream with an error
    // (the staging file is removed) and release whatever was already stored.
    request.on("close", () => {
      if (request.complete) return;
      const error = new ValidationError("The upload was cut off before it ended.", undefined, { key: "upload.cut_off" });
      fileStream?.destroy(error);
      stored?.then((upload) => releaseBlob(deps, upload.blob, { keep: false })).catch(() => {});
      reject(error);
    });
    let failure: Error | null = null;
    parser.on("field", (name, value) => {
      fields[name] = value;
    });
    parser.on("file", (name, stream: Readable, info) => {
      if (name !== "file" || stored) {
        stream.resume();
        return;
      }
      let fileName: string;
      try {
        fileName = checkFileName(info.filename);
      } catch (error) {
        failure = error as Error;
        stream.resume();
        return;
      }
      fileStream = stream;
      stored = receiveBlob(deps, stream, { maxBytes }).then((blob) => ({ fields, fileName, mediaType: info.mimeType || null, blob }));
      // Keep the rejection handled until 'close' collects it.
      stored.catch(() => {});
    });
    parser.on("filesLimit", () => {
      failure ??= new ValidationError("Send one file per request.", undefined, { key: "upload.one_file" });
    });
    parser.on("error", (error: Error) => {
      // A file already stored before the body broke off (a request cut mid-stream) is not kept.
      stored?.then((upload) => releaseBlob(deps, upload.blob, { keep: false })).catch(() => {});
      // Read the rest of the body, so the connection stays usable for the client's next request.
      request.unpipe(parser);
      request.resume();
      reject(
        new ValidationError(`Malformed multipart request (${error.message}). File names must not contain control characters.`, undefined, {
          key: "upload.malformed_multipart",
        }),
      );
    });
    parser.on("close", () => {
      if (failure) {
        // A file already stored by a failing request is not referenced by anything yet.
        stored?.then((upload) => releaseBlob(deps, upload.blob, { keep: false })).catch(() => {});
        reject(failure);
      } else if (!stored) reject(new ValidationError("The request has no file part named \"file\".", undefined, { key: "upload.no_file" }));
      else stored.then(resolve, reject);
    });
    request.pipe(parser);
  });
}

function toJson(recording: Recording) {
  const { storageKey: _storageKey, teamPath: _teamPath, workspaceId: _workspaceId, ...visible } = recording;
  return visible;
}

export function recordingRoutes(context: AppContext & { blobs: BlobStore }): Router {
  const router = Router();
  const { db, blobs, dispatcher, config } = context;

  /**
   * Runs `work` (validate, write the row) while the upload's file is leased; on any error the file
   * is removed again unless something else refers to it.
   */
  async function withUpload<T>(upload: ReceivedUpload, work: () => Promise<T>): Promise<T> {
    let result: T;
    try {
      result = await work();
    } catch (error) {
      await releaseBlob({ db, blobs }, upload.blob, { keep: false }).catch((releaseError: unknown) =>
        context.logger.warn({ err: releaseError }, "Could not release a failed upload's file"),
      );
      throw error;
    }
    await releaseBlob({ db, blobs }, upload.blob, { keep: true });
    return result;
  }

  function metadataOf(upload: ReceivedUpload) {
    const parsed = recordingMetadataSchema.safeParse(upload.fields);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message }));
      throw new ValidationError(issues.map((issue) => issue.message).join(" "), issues);
    }
    return parsed.data;
  }

  router.post("/recordings", allow("rep", "trainer", "admin"), async (request: Request, response: Response) => {
    const actor = actorOf(request);
    const upload = await receiveUpload(request, { db, blobs }, config.UPLOAD_MAX_BYTES);
    const result = await withUpload(upload, async () => {
      const metadata = metadataOf(upload);
      await checkUploadTarget(db, actor, metadata);
      const probe = await probeAudio(await blobs.localPath(upload.blob.key), {
        limits: { maxDurationMs: config.UPLOAD_MAX_DURATION_SECONDS * 1000 },
        tools: resolveMediaToolsOnce(mediaToolsEnvironment(config)),
      }).catch((error: unknown) => {
        // The tool's own output names server paths: log it, tell the client only what is wrong.
        context.logger.info({ err: error, fileName: upload.fileName }, "Upload rejected by ffprobe");
        if (error instanceof CalibrateError && error.status < 500) {
          throw new UnprocessableError(error.message, undefined, { key: error.messageKey, params: error.messageParams });
        }
        throw new UnprocessableError(`"${upload.fileName}" could not be read as audio.`, undefined, { key: "upload.not_audio" });
      });
      return createAudioRecording({ db, dispatcher }, actor, {
        metadata,
        fileName: upload.fileName,
        mediaType: upload.mediaType,
        blob: upload.blob,
        durationMs: probe.durationMs,
        channels: probe.channels,
      });
    });
    response.status(result.duplicate ? 200 : 201).json({ recording: toJson(result.recording), duplicate: result.duplicate });
  });

  router.post("/recordings/import", allow("rep", "trainer", "admin"), async (request: Request, response: Response) => {
    const actor = actorOf(request);
    const upload = await receiveUpload(request, { db, blobs }, maxTranscriptBytes).catch((error: unknown) => {
      if (error instanceof PayloadTooLargeError) {
        throw new PayloadTooLargeError(`A transcript file may be at most ${formatBytes(maxTranscriptBytes)}.`, undefined, {
          key: "upload.transcript_too_large",
          params: { limit: formatBytes(maxTranscriptBytes) },
        });
      }
      throw error;
    });
    const result = await withUpload(upload, async () => {
      const metadata = metadataOf(upload);
      const bytes = await readAll(blobs.open(upload.blob.key));
      const content = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
      const parsed = parseTranscript(content, { fileName: upload.fileName });
      return importTranscript({ db, dispatcher }, actor, { metadata, fileName: upload.fileName, blob: upload.blob, parsed });
    }).catch((error: unknown) => {
      if (error instanceof TypeError && /encoded data/.test(error.message)) {
        throw new UnprocessableError("The transcript is not UTF-8 text. Export it as UTF-8 (WebVTT, SRT, text or JSON).", undefined, { key: "import.not_utf8" });
      }
      throw error;
    });
    response.status(result.duplicate ? 200 : 201).json({ recording: toJson(result.recording), duplicate: result.duplicate });
  });

  router.get("/recordings", allow(), async (request: Request, response: Response) => {
    const options = query(
      request,
      z.object({
        status: z.enum(recordingStatuses).optional(),
        mine: z.enum(["true", "false"]).optional(),
        limit: z.coerce.number().int().min(1).max(500).optional(),
        before: z.coerce.date().optional(),
        search: z.string().max(200).optional(),
      }),
    );
    const recordings = await listRecordings(db, actorOf(request), { ...options, ownerOnly: options.mine === "true" });
    response.json({ recordings: recordings.map(toJson) });
  });

  router.get("/recordings/:id", allow(), async (request: Request, response: Response) => {
    const actor = actorOf(request);
    const { id } = params(request, idParams);
    const recording = await getRecording(db, actor, id);
    response.json({ recording: toJson(recording), transcript: await getTranscript(db, actor, recording) });
  });

  router.get("/recordings/:id/audio", allow(), async (request: Request, response: Response) => {
    const { id } = params(request, idParams);
    const recording = await getRecording(db, actorOf(request), id);
    if (recording.source !== "audio" || !recording.storageKey) {
      sendError(request, response, 404, {
        code: "not_found",
        message: "This recording has no audio (it was imported as a transcript).",
        messageKey: "recording.no_audio",
      });
      return;
    }
    const size = await blobs.size(recording.storageKey);
    const range = /^bytes=(\d*)-(\d*)$/.exec(request.headers.range ?? "");
    response.setHeader("Accept-Ranges", "bytes");
    response.setHeader("Content-Type", audioContentType(recording.originalFilename));
    response.setHeader("Cache-Control", "private, max-age=3600");
    if (range && (range[1] || range[2])) {
      const start = range[1] ? Number(range[1]) : Math.max(0, size - Number(range[2]));
      const end = range[1] && range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
      if (start >= size || start > end) {
        response.status(416).setHeader("Content-Range", `bytes */${size}`).end();
        return;
      }
      response.status(206).setHeader("Content-Range", `bytes ${start}-${end}/${size}`).setHeader("Content-Length", end - start + 1);
      blobs.open(recording.storageKey, { start, end }).pipe(response);
      return;
    }
    response.setHeader("Content-Length", size);
    blobs.open(recording.storageKey).pipe(response);
  });

  router.post("/recordings/:id/retry", allow(), async (request: Request, response: Response) => {
    const { id } = params(request, idParams);
    response.json({ recording: toJson(await retryRecording({ db, dispatcher }, actorOf(request), id)) });
  });

  router.delete("/recordings/:id", allow(), async (request: Request, response: Response) => {
    const { id } = params(request, idParams);
    const { erasureId } = await eraseRecording({ db, blobs }, actorOf(request), id);
    context.logger.info({ recordingId: id, erasureId, by: actorOf(request).id }, "Recording erased");
    response.status(204).end();
  });

  router.get("/workspace", allow(), async (request: Request, response: Response) => {
    response.json({ customerStages: await workspaceStages(db, actorOf(request).workspaceId) });
  });

  return router;
}

const audioTypes: Record<string, string> = {
  mp3: "audio/mpeg", wav: "audio/wav", flac: "audio/flac", ogg: "audio/ogg", opus: "audio/ogg",
  m4a: "audio/mp4", mp4: "audio/mp4", aac: "audio/aac", webm: "audio/webm", amr: "audio/amr",
};

function audioContentType(fileName: string): string {
  return audioTypes[fileName.split(".").pop()?.toLowerCase() ?? ""] ?? "application/octet-stream";
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
