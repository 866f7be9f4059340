import { describe, expect, it } from "vitest";
import { UnprocessableError, ValidationError } from "../../errors.ts";
import { talkTrackSchema, type TranscriptSegment } from "../schema.ts";
import { momentQueryText } from "./moments.ts";
import {
  cosineSimilarity,
  suggestTalkTracks,
  type ApprovedTalkTrack,
  type Embedder,
} from "./talk-tracks.ts";

/**
 * A tiny deterministic embedder: character bigrams (Chinese and English alike, ignoring spaces
 * and punctuation) hashed into 64 dimensions. It records every batch it is asked to embed.
 */
function bigramEmbedder(dimensions = 64): Embedder & { calls: string[][] } {
  const calls: string[][] = [];
  return {
    name: "test-bigram-64",
    dimensions,
    calls,
    async embed(texts) {
      calls.push(texts);
      return texts.map((text) => {
        const vector = new Array<number>(dimensions).fill(0);
        const characters = [...text.toLowerCase().replace(/[\p{P}\s]/gu, "")];
        for (let index = 0; index + 1 < characters.length; index += 1) {
          let hash = 2166136261;
          for (const unit of characters[index] + characters[index + 1]) {
            hash = Math.imul(hash ^ unit.codePointAt(0)!, 16777619) >>> 0;
          }
          vector[hash % dimensions] += 1;
        }
        return vector;
      });
    },
  };
}

function transcript(...lines: Array<[speaker: string, text: string]>): TranscriptSegment[] {
  return lines.map(([speaker, text], ordinal) => ({
    ordinal,
    speaker,
    text,
    startMs: ordinal * 5000,
    endMs: ordinal * 5000 + 4000,
  }));
}

const approved: ApprovedTalkTrack[] = [
  {
    moment: "objection",
    text: "太贵了，别家便宜多了",
    suggestion:
      "理解您的顾虑。我们按保额算其实每天不到一杯咖啡钱，而且轻症赔付次数更多，我给您算一下对比？",
    rationale: "把价格换算成日均成本，再回到保障差异",
  },
  {
    moment: "objection",
    text: "We already use Salesforce for this.",
    suggestion:
      "Makes sense — many of our customers run us alongside Salesforce. What made you look at other options this quarter?",
    rationale: "Acknowledge the incumbent, then ask what prompted the call.",
  },
  {
    moment: "hesitation",
    text: "我再考虑考虑吧",
    suggestion: "当然可以。方便说说您主要在考虑哪一点吗？是价格还是保障范围？",
    rationale: "把模糊的犹豫变成具体的问题",
  },
  {
    moment: "question",
    text: "理赔要多久能到账？",
    suggestion: "资料齐全的话，一般三个工作日内到账，小额理赔最快当天。",
    rationale: "",
  },
];

describe("suggestTalkTracks", () => {
  it("reuses the approved talk track of the most similar past moment", async () => {
    const embedder = bigramEmbedder();
    const { talkTracks, notes } = await suggestTalkTracks({
      segments: transcript(
        ["agent", "这款重疾险一年保费四千二。"],
        ["customer", "这个价格太贵了，别家便宜不少"],
        ["agent", "我理解。"],
        ["customer", "那我再考虑考虑"],
        ["customer", "We're already using Salesforce for this, honestly."],
      ),
      approved,
      embedder,
      minimumSimilarity: 0.5,
    });
    expect(notes).toEqual([]);
    expect(
      talkTracks.map(({ moment, evidence, suggestion }) => ({ moment, evidence, suggestion })),
    ).toEqual([
      { moment: "objection", evidence: [1], suggestion: approved[0].suggestion },
      { moment: "hesitation", evidence: [3], suggestion: approved[2].suggestion },
      { moment: "objection", evidence: [4], suggestion: approved[1].suggestion },
    ]);
    for (const track of talkTracks) {
      expect(talkTrackSchema.parse(track)).toEqual(track);
      expect(track.confidence).toBeGreaterThanOrEqual(0.5);
      expect(track.confidence).toBeLessThanOrEqual(1);
    }
    expect(talkTracks[0].rationale).toContain("把价格换算成日均成本");
    expect(talkTracks[0].rationale).toContain("太贵了，别家便宜多了");
    expect(talkTracks[2].rationale).toMatch(/^Acknowledge the incumbent.*similarity 0\.\d\d/);
  });

  it("adds a note instead of inventing a talk track when nothing is similar enough", async () => {
    const { talkTracks, notes } = await suggestTalkTracks({
      segments: transcript(
        ["customer", "你们的APP支持视频问诊吗？"],
        ["agent", "支持的，7×24小时都可以。"],
        ["customer", "Does it integrate with Slack?"],
      ),
      approved,
      embedder: bigramEmbedder(),
      minimumSimilarity: 0.5,
    });
    expect(talkTracks).toEqual([]);
    expect(notes).toHaveLength(2);
    expect(notes[0]).toMatch(
      /^第 1 句的提问没有足够相似的已批准话术（最高相似度 0\.\d\d，需要 ≥ 0\.50）/,
    );
    expect(notes[0]).toContain("你们的APP支持视频问诊吗");
    expect(notes[1]).toMatch(
      /^No approved talk track is similar enough for the question in utterance 3/,
    );
  });

  it("never answers a moment with a reply in another language, however similar its customer line", async () => {
    const { talkTracks, notes } = await suggestTalkTracks({
      segments: transcript(["customer", "The price is too high for us."]),
      approved: [
        { moment: "objection", text: "The price is too high for us.", suggestion: "价格这块我们可以一起看看。", language: "zh" },
      ],
      embedder: bigramEmbedder(),
      minimumSimilarity: 0.1,
    });
    expect(talkTracks).toEqual([]);
    expect(notes).toEqual([expect.stringMatching(/no approved talk tracks for this kind of moment yet/)]);
  });

  it("never answers one kind of moment with another kind's talk track", async () => {
    const { talkTracks, notes } = await suggestTalkTracks({
      segments: transcript(["customer", "我们不需要，再考虑考虑"]),
      approved: approved.filter((entry) => entry.moment !== "objection"),
      embedder: bigramEmbedder(),
      minimumSimilarity: 0.1,
    });
    // The line is an objection ("不需要"); only a hesitation talk track is close in wording.
    expect(talkTracks).toEqual([]);
    expect(notes).toEqual([expect.stringContaining("暂无此类已批准话术")]);
  });

  it("embeds only what it needs, in one batch, and uses stored embeddings", async () => {
    const embedder = bigramEmbedder();
    const [stored] = await bigramEmbedder().embed([momentQueryText(approved[0].text)]);
    const withStored = approved.map((entry, index) =>
      index === 0 ? { ...entry, embedding: stored } : entry,
    );
    const snapshot = structuredClone(withStored);
    const { talkTracks } = await suggestTalkTracks({
      segments: transcript(["agent", "一年四千二。"], ["customer", "嗯，太贵了，别家便宜多了"]),
      approved: withStored,
      embedder,
      minimumSimilarity: 0.5,
    });
    expect(talkTracks).toHaveLength(1);
    // One call: the moment, then the other objection without an embedding; no hesitation or
    // question entries, since no such moment occurred, and not the stored one.
    expect(embedder.calls).toEqual([
      ["太贵了，别家便宜多了", "We already use Salesforce for this."],
    ]);
    expect(withStored).toEqual(snapshot);
  });

  it("re-embeds stored vectors of another size (from another embedder)", async () => {
    const embedder = bigramEmbedder();
    await suggestTalkTracks({
      segments: transcript(["customer", "太贵了"]),
      approved: [{ ...approved[0], embedding: [1, 0, 0] }],
      embedder,
      minimumSimilarity: 0.5,
    });
    expect(embedder.calls).toEqual([["太贵了", "太贵了，别家便宜多了"]]);
  });

  it("prefers a past moment with the same cue, and lets it through below the floor by the bonus only", async () => {
    // Both price-objection replies and a competitor reply; the line's wording is closest to the
    // competitor one, but it is a price objection ("太贵", the first cue that matches).
    const byCue: ApprovedTalkTrack[] = [
      { moment: "objection", text: "我们已经在用别家的系统了", suggestion: "competitor reply", rationale: "" },
      { moment: "objection", text: "价格太高了，超出预算", suggestion: "price reply", rationale: "" },
    ];
    const segments = transcript(["customer", "别家的系统我们在用，你们这个太贵"]);
    const embedder = bigramEmbedder();
    const [line, competitor, price] = await embedder.embed([
      momentQueryText(segments[0].text),
      momentQueryText(byCue[0].text),
      momentQueryText(byCue[1].text),
    ]);
    const toCompetitor = cosineSimilarity(line, competitor);
    const toPrice = cosineSimilarity(line, price);
    expect(toCompetitor).toBeGreaterThan(toPrice);

    const floor = toCompetitor + 0.01;
    const without = await suggestTalkTracks({ segments, approved: byCue, embedder, minimumSimilarity: floor });
    expect(without.talkTracks).toEqual([]);
    expect(without.notes).toHaveLength(1);
    expect(without.notes[0]).toContain(`最高相似度 ${toCompetitor.toFixed(2)}，需要 ≥ ${floor.toFixed(2)}`);

    const bonus = floor - toPrice + 0.01;
    const { talkTracks, notes } = await suggestTalkTracks({ segments, approved: byCue, embedder, minimumSimilarity: floor, sameCueBonus: bonus });
    expect(notes).toEqual([]);
    expect(talkTracks.map((track) => track.suggestion)).toEqual(["price reply"]);
    expect(talkTracks[0].rationale).toContain("同为价格异议");
    expect(talkTracks[0].rationale).toContain(`相似度 ${toPrice.toFixed(2)}`);

    // Just short of the floor with the bonus: a note, not the reply.
    const short = await suggestTalkTracks({ segments, approved: [byCue[1]], embedder, minimumSimilarity: floor, sameCueBonus: floor - toPrice - 0.01 });
    expect(short.talkTracks).toEqual([]);
    // The note gives the line's own similarity and the lower bar its shared cue set.
    expect(short.notes[0]).toContain(`最高相似度 ${toPrice.toFixed(2)}，需要 ≥ ${(toPrice + 0.01).toFixed(2)}`);
  });

  it("does not call the embedder when there is no customer moment", async () => {
    const embedder = bigramEmbedder();
    const result = await suggestTalkTracks({
      segments: transcript(["agent", "这款产品的价格是多少？您知道吗？"], ["customer", "好的"]),
      approved,
      embedder,
      minimumSimilarity: 0.5,
      agentSpeaker: "agent",
    });
    expect(result).toEqual({ talkTracks: [], notes: [] });
    expect(embedder.calls).toEqual([]);
  });

  it("rejects bad input and unusable embedder output", async () => {
    const segments = transcript(["customer", "太贵了"]);
    await expect(
      suggestTalkTracks({ segments, approved, embedder: bigramEmbedder(), minimumSimilarity: 2 }),
    ).rejects.toBeInstanceOf(ValidationError);
    for (const sameCueBonus of [-0.1, 1.5, Number.NaN]) {
      await expect(
        suggestTalkTracks({ segments, approved, embedder: bigramEmbedder(), minimumSimilarity: 0.4, sameCueBonus }),
      ).rejects.toBeInstanceOf(ValidationError);
    }
    await expect(
      suggestTalkTracks({
        segments,
        approved: [{ ...approved[0], suggestion: " " }],
        embedder: bigramEmbedder(),
        minimumSimilarity: 0.5,
      }),
    ).rejects.toBeInstanceOf(ValidationError);
    const broken: Embedder = {
      name: "broken",
      dimensions: 64,
      embed: async (texts) => texts.map(() => [1, 2]),
    };
    await expect(
      suggestTalkTracks({ segments, approved, embedder: broken, minimumSimilarity: 0.5 }),
    ).rejects.toBeInstanceOf(UnprocessableError);
  });
});

describe("cosineSimilarity", () => {
  it("measures the angle between vectors", () => {
    expect(cosineSimilarity([1, 0], [1, 0])).toBeCloseTo(1);
    expect(cosineSimilarity([1, 0], [0, 2])).toBeCloseTo(0);
    expect(cosineSimilarity([1, 1], [-1, -1])).toBeCloseTo(-1);
    expect(cosineSimilarity([0, 0], [1, 1])).toBe(0);
    expect(() => cosineSimilarity([1], [1, 2])).toThrow(RangeError);
  });
});
