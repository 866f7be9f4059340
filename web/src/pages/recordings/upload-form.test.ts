import { describe, expect, it } from "vitest";
import { buildUploadForm, uploadEndpoint, uploadKindOf } from "./upload-form.ts";

describe("upload form", () => {
  it("sends transcripts to the import endpoint and everything else to transcription", () => {
    expect(uploadKindOf("call.VTT")).toBe("transcript");
    expect(uploadKindOf("call.srt")).toBe("transcript");
    expect(uploadKindOf("通话记录.txt")).toBe("transcript");
    expect(uploadKindOf("call.json")).toBe("transcript");
    expect(uploadKindOf("call.m4a")).toBe("audio");
    expect(uploadKindOf("no-extension")).toBe("audio");
    expect(uploadEndpoint("transcript")).toBe("/api/recordings/import");
    expect(uploadEndpoint("audio")).toBe("/api/recordings");
  });

  it("puts the fields first and the file last, leaving out empty optional fields", async () => {
    const form = buildUploadForm(
      {
        customerStage: "discovery",
        customerReference: "  ",
        callDate: "",
        language: "auto",
        consent: true,
      },
      new Blob(["hello"]),
      "call.txt",
    );
    expect([...form.keys()]).toEqual(["customerStage", "language", "consent", "file"]);
    expect(form.get("consent")).toBe("true");
    const file = form.get("file") as File;
    expect(file.name).toBe("call.txt");
    expect(await file.text()).toBe("hello");
  });

  it("trims and includes the optional fields when given", () => {
    const form = buildUploadForm(
      {
        customerStage: "谈判",
        customerReference: " CRM-42 ",
        callDate: "2025-03-04",
        language: "zh",
        consent: true,
        title: " 首次沟通 ",
      },
      new Blob(["x"]),
      "a.mp3",
    );
    expect([...form.keys()]).toEqual([
      "customerStage",
      "customerReference",
      "callDate",
      "language",
      "consent",
      "title",
      "file",
    ]);
    expect(form.get("customerReference")).toBe("CRM-42");
    expect(form.get("title")).toBe("首次沟通");
  });
});
