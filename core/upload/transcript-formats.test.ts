import { describe, expect, it } from "vitest";
import { UnprocessableError } from "../errors.ts";
import {
  detectTranscriptFormat,
  parseTimestamp,
  parseTranscript,
  splitSpeakerLabel,
} from "./transcript-formats.ts";

function rejection(run: () => unknown): UnprocessableError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(UnprocessableError);
    return error as UnprocessableError;
  }
  throw new Error("expected an UnprocessableError");
}

describe("WebVTT", () => {
  it("reads Microsoft Teams voice tags", () => {
    const vtt = [
      "WEBVTT",
      "",
      "e6d3c1f0-1/11-0",
      "00:00:01.000 --> 00:00:04.500",
      "<v Wang Lei>Hello, thanks for joining.</v>",
      "",
      "e6d3c1f0-1/15-0",
      "00:00:05.000 --> 00:00:07.250",
      "<v Jane Doe>Happy to be here.</v>",
      "",
    ].join("\n");
    expect(parseTranscript(vtt, { fileName: "meeting.vtt" })).toEqual({
      format: "vtt",
      language: null,
      timed: true,
      segments: [
        { startMs: 1000, endMs: 4500, speaker: "Wang Lei", text: "Hello, thanks for joining." },
        { startMs: 5000, endMs: 7250, speaker: "Jane Doe", text: "Happy to be here." },
      ],
    });
  });

  it("reads Zoom's numbered cues with 'Name: text', CRLF and a BOM", () => {
    const vtt =
      "\uFEFFWEBVTT\r\n\r\n1\r\n00:00:00.480 --> 00:00:03.120\r\n王磊: 您好，我是王磊。\r\n\r\n2\r\n00:00:03.500 --> 00:00:05.000\r\nCustomer: Hi there.\r\n";
    const { segments } = parseTranscript(vtt);
    expect(segments).toEqual([
      { startMs: 480, endMs: 3120, speaker: "王磊", text: "您好，我是王磊。" },
      { startMs: 3500, endMs: 5000, speaker: "Customer", text: "Hi there." },
    ]);
  });

  it("handles optional hours, cue settings, NOTE/STYLE blocks, styling tags, entities and multi-line cues", () => {
    const vtt = [
      "WEBVTT - exported",
      "Kind: captions",
      "",
      "NOTE this is a comment",
      "that spans lines",
      "",
      "STYLE",
      "::cue { color: red }",
      "",
      "01:02.000 --> 01:04.000 align:start position:10%",
      "<v.loud Agent>We can <b>ship</b> by Friday &amp; install</v>",
      "on Monday.",
      "",
      "1:00:00.000 --> 1:00:01.000",
      "我们下周",
      "再联系。",
    ].join("\n");
    const { segments } = parseTranscript(vtt);
    expect(segments).toEqual([
      {
        startMs: 62_000,
        endMs: 64_000,
        speaker: "Agent",
        text: "We can ship by Friday & install on Monday.",
      },
      // Chinese lines join without a space.
      { startMs: 3_600_000, endMs: 3_601_000, speaker: "speaker_1", text: "我们下周再联系。" },
    ]);
  });

  it("sorts cues by start time and skips empty ones", () => {
    const vtt =
      "WEBVTT\n\n00:00:05.000 --> 00:00:06.000\nsecond\n\n00:00:01.000 --> 00:00:02.000\nfirst\n\n00:00:03.000 --> 00:00:04.000\n<v A></v>\n";
    expect(parseTranscript(vtt).segments.map((segment) => segment.text)).toEqual([
      "first",
      "second",
    ]);
  });

  it("names the line of a missing timing line", () => {
    const vtt = [
      "WEBVTT",
      "",
      "1",
      "00:00:01.000 --> 00:00:02.000",
      "ok",
      "",
      "2",
      "not a timing line",
      "text",
    ].join("\n");
    const error = rejection(() => parseTranscript(vtt, { format: "vtt" }));
    expect(error.message).toBe("line 8: expected a timing line like 00:00:01.000 --> 00:00:04.000");
  });

  it("names the line of an impossible timestamp and of a cue that ends before it starts", () => {
    expect(
      rejection(() =>
        parseTranscript("WEBVTT\n\n00:00:61.000 --> 00:01:02.000\nx", { format: "vtt" }),
      ).message,
    ).toBe("line 3: expected a timing line like 00:00:01.000 --> 00:00:04.000");
    expect(
      rejection(() =>
        parseTranscript("WEBVTT\n\n\n00:00:09.000 --> 00:00:02.000\nx", { format: "vtt" }),
      ).message,
    ).toBe("line 4: the cue ends (00:00:02.000) before it starts (00:00:09.000)");
  });

  it("requires the header", () => {
    expect(
      rejection(() => parseTranscript("00:00:01.000 --> 00:00:02.000\nhi", { format: "vtt" }))
        .message,
    ).toMatch(/^line 1: expected the "WEBVTT" header/);
  });

  it("rejects a file with no cues", () => {
    expect(rejection(() => parseTranscript("WEBVTT\n\nNOTE nothing here\n")).message).toBe(
      "The WebVTT transcript contains no text.",
    );
  });
});

describe("SRT", () => {
  it("reads numbered cues with comma milliseconds, tags and speaker labels", () => {
    const srt = [
      "1",
      "00:00:01,000 --> 00:00:04,000",
      "客户：这个价格能不能",
      "再便宜一点？",
      "",
      "2",
      "00:00:04,500 --> 00:00:06,000",
      "{\\an8}<i>Agent: Let me check.</i>",
      "",
    ].join("\n");
    expect(parseTranscript(srt, { fileName: "call.srt" })).toMatchObject({
      format: "srt",
      segments: [
        { startMs: 1000, endMs: 4000, speaker: "客户", text: "这个价格能不能再便宜一点？" },
        { startMs: 4500, endMs: 6000, speaker: "Agent", text: "Let me check." },
      ],
    });
  });

  it("is detected from its content without a file name", () => {
    expect(detectTranscriptFormat(null, "1\n00:00:01,000 --> 00:00:02,000\nhi\n")).toBe("srt");
  });

  it("names the line of a malformed timing line", () => {
    const srt = "1\n00:00:01,000 --> 00:00:02,000\nfine\n\n2\n00:00:03 -> 00:00:04\nbroken\n";
    expect(rejection(() => parseTranscript(srt, { format: "srt" })).message).toBe(
      "line 6: expected a timing line like 00:00:01,000 --> 00:00:04,000",
    );
  });

  it("names the line of text where a cue should start", () => {
    expect(rejection(() => parseTranscript("hello there\n", { format: "srt" })).message).toBe(
      "line 1: expected a cue number or a timing line like 00:00:01,000 --> 00:00:04,000",
    );
  });
});

describe("plain text", () => {
  it("reads speaker lines with ASCII and full-width colons, and continuation lines", () => {
    const text = [
      "Agent: Hello, this is Wang.",
      "客户：你好，",
      "我想问一下价格。",
      "",
      "Agent: Sure, the price is 12:30 discounted.",
    ].join("\n");
    expect(parseTranscript(text, { fileName: "notes.txt" })).toEqual({
      format: "text",
      language: null,
      timed: false,
      segments: [
        { startMs: 0, endMs: 0, speaker: "Agent", text: "Hello, this is Wang." },
        { startMs: 0, endMs: 0, speaker: "客户", text: "你好，我想问一下价格。" },
        { startMs: 0, endMs: 0, speaker: "Agent", text: "Sure, the price is 12:30 discounted." },
      ],
    });
  });

  it("uses [hh:mm:ss] and [mm:ss] timestamps; each turn ends where the next starts", () => {
    const text = [
      "[00:00:01] Agent: Hi.",
      "[00:00:04] Customer: Hello.",
      "[01:10] Agent: Bye.",
    ].join("\n");
    expect(parseTranscript(text).segments).toEqual([
      { startMs: 1000, endMs: 4000, speaker: "Agent", text: "Hi." },
      { startMs: 4000, endMs: 70_000, speaker: "Customer", text: "Hello." },
      { startMs: 70_000, endMs: 70_000, speaker: "Agent", text: "Bye." },
    ]);
  });

  it("accepts a bare timestamp before a speaker label", () => {
    expect(parseTranscript("00:00:02 销售：您好\n00:00:05 客户：你好").segments).toEqual([
      { startMs: 2000, endMs: 5000, speaker: "销售", text: "您好" },
      { startMs: 5000, endMs: 5000, speaker: "客户", text: "你好" },
    ]);
  });

  it("gives lines without any speaker the default speaker", () => {
    expect(
      parseTranscript("just some notes\nmore notes", { defaultSpeaker: "unknown" }).segments,
    ).toEqual([{ startMs: 0, endMs: 0, speaker: "unknown", text: "just some notes more notes" }]);
  });

  it("names the line of a bracketed value that is not a timestamp", () => {
    expect(rejection(() => parseTranscript("[00:00:01] A: ok\n[00:99:00] B: no")).message).toBe(
      'line 2: "00:99:00" is not a timestamp like [00:01:02] or [01:02]',
    );
  });
});

describe("JSON", () => {
  it("reads the documented format, sorted, with its language", () => {
    const json = JSON.stringify({
      language: "zh",
      segments: [
        { start_ms: 4000, end_ms: 6000, speaker: "customer", text: "好的" },
        { start_ms: 0, end_ms: 3500, speaker: "agent", text: " 您好 " },
      ],
    });
    expect(parseTranscript(json, { fileName: "call.json" })).toEqual({
      format: "json",
      language: "zh",
      timed: true,
      segments: [
        { startMs: 0, endMs: 3500, speaker: "agent", text: "您好" },
        { startMs: 4000, endMs: 6000, speaker: "customer", text: "好的" },
      ],
    });
  });

  it("names the line of the segment that breaks the schema", () => {
    const json = [
      "{",
      '  "segments": [',
      '    { "start_ms": 0, "end_ms": 100, "speaker": "a", "text": "x" },',
      "    {",
      '      "start_ms": 500,',
      '      "end_ms": 200,',
      '      "speaker": "b",',
      '      "text": "y"',
      "    }",
      "  ]",
      "}",
    ].join("\n");
    expect(rejection(() => parseTranscript(json)).message).toBe(
      "line 4: segments[1].end_ms: end_ms must not be before start_ms",
    );
  });

  it("names the line of a syntax error", () => {
    const json = '{\n  "segments": [\n    { "start_ms": 0, }\n  ]\n}';
    const error = rejection(() => parseTranscript(json, { format: "json" }));
    expect(error.message).toMatch(/^line 3: invalid JSON/);
  });

  it("rejects wrong types and an empty list", () => {
    expect(rejection(() => parseTranscript('{"segments": []}')).message).toBe(
      "line 1: segments: at least one segment is required",
    );
    expect(
      rejection(() =>
        parseTranscript(
          '{"segments": [{"start_ms": "0", "end_ms": 1, "speaker": "a", "text": "b"}]}',
        ),
      ).message,
    ).toMatch(/^line 1: segments\[0\]\.start_ms: /);
  });
});

describe("helpers", () => {
  it("parseTimestamp", () => {
    expect(parseTimestamp("01:02:03.456")).toBe(3_723_456);
    expect(parseTimestamp("02:03,5")).toBe(123_500);
    expect(parseTimestamp("1:00:00")).toBe(3_600_000);
    expect(parseTimestamp("00:60:00")).toBeNull();
    expect(parseTimestamp("12")).toBeNull();
  });

  it("splitSpeakerLabel only accepts short, label-like prefixes", () => {
    expect(splitSpeakerLabel("Speaker 1: hi")).toEqual({ speaker: "Speaker 1", text: "hi" });
    expect(splitSpeakerLabel("客户：嗯")).toEqual({ speaker: "客户", text: "嗯" });
    expect(splitSpeakerLabel("10:30 works for me")).toBeNull();
    expect(splitSpeakerLabel("Well, here is the thing: it works")).toBeNull();
    expect(splitSpeakerLabel("https://example.com")).toBeNull();
    expect(splitSpeakerLabel("one two three four five: too long")).toBeNull();
  });

  it("detectTranscriptFormat prefers the extension, then sniffs", () => {
    expect(detectTranscriptFormat("a.VTT", "")).toBe("vtt");
    expect(detectTranscriptFormat(undefined, "WEBVTT\n\n")).toBe("vtt");
    expect(detectTranscriptFormat("upload", ' {"segments": []}')).toBe("json");
    expect(detectTranscriptFormat("notes.txt", "WEBVTT")).toBe("vtt");
    expect(detectTranscriptFormat("notes.txt", "Agent: hi")).toBe("text");
  });
});
