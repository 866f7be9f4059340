/**
 * User Timing marks around the trainer's hot path, read by `bench/browser-review.ts` (and visible
 * in the browser's performance panel). Measuring costs a mark per keypress and nothing otherwise.
 *
 * - `review:keypress-to-next-item`: from the keydown of a decision (the event's own timestamp) to
 *   the frame that shows the next item (a requestAnimationFrame after React committed it).
 * - `review:keypress-to-commit`: the same start to React's commit of the next item: the part
 *   spent in our code; the rest is the browser waiting for its next frame.
 * - `call-view:open-to-transcript`: from opening the call view to its transcript's first frame.
 * - `rep-call:open-to-items`: from opening a recording to the first frame of its rep's side (the
 *   summary, action items, talk tracks and e-mail) — the rep's call page.
 */
export const keypressToNextItem = "review:keypress-to-next-item";
export const keypressToCommit = "review:keypress-to-commit";
export const callViewOpenToTranscript = "call-view:open-to-transcript";
export const repCallOpenToItems = "rep-call:open-to-items";

let decisionStart: number | null = null;

/** On the keydown that decides: remembers when the press happened. */
export function markDecisionStart(event?: { timeStamp: number }): void {
  decisionStart = event?.timeStamp ?? performance.now();
  performance.mark("review:decision-start", { startTime: decisionStart });
}

/** After the next item was committed: measures once its frame is about to paint. */
export function markItemRendered(): void {
  if (decisionStart === null) return;
  const start = decisionStart;
  decisionStart = null;
  performance.measure(keypressToCommit, { start, end: performance.now() });
  requestAnimationFrame(() => {
    const end = performance.now();
    performance.mark("review:item-rendered", { startTime: end });
    performance.measure(keypressToNextItem, { start, end });
  });
}

/** Page loads being measured: measure name → when the page opened. */
const pageStarts = new Map<string, number>();

/** When a page opens: `<page>:opened`. */
function markPageOpened(measure: string): void {
  const start = performance.now();
  pageStarts.set(measure, start);
  performance.mark(`${measure.split(":")[0]}:opened`, { startTime: start });
}

/** Once, at the first frame after the page's content was committed: `<page>:rendered` and the measure. */
function markPageRendered(measure: string, rendered: string): void {
  const start = pageStarts.get(measure);
  if (start === undefined) return;
  pageStarts.delete(measure);
  requestAnimationFrame(() => {
    const end = performance.now();
    performance.mark(rendered, { startTime: end });
    performance.measure(measure, { start, end });
  });
}

export function markCallViewOpened(): void {
  markPageOpened(callViewOpenToTranscript);
}

export function markCallViewTranscriptRendered(): void {
  markPageRendered(callViewOpenToTranscript, "call-view:transcript-rendered");
}

export function markRepCallOpened(): void {
  markPageOpened(repCallOpenToItems);
}

export function markRepCallItemsRendered(): void {
  markPageRendered(repCallOpenToItems, "rep-call:items-rendered");
}
