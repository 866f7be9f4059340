/**
 * User Timing marks around the trainer's hot path, read by `bench/browser-review.ts` (and visible
 * in the browser's performance panel). Measuring costs a mark per keypress and nothing otherwise.
 *
 * - `review:keypress-to-next-item`: from the keydown of a decision (the event's own timestamp) to
 *   the frame that shows the next item (a requestAnimationFrame after React committed it).
 * - `review:keypress-to-commit`: the same start to React's commit of the next item: the part
 *   spent in our code; the rest is the browser waiting for its next frame.
 * - `call-view:open-to-transcript`: from opening the call view to its transcript's first frame.
 */
export const keypressToNextItem = "review:keypress-to-next-item";
export const keypressToCommit = "review:keypress-to-commit";
export const callViewOpenToTranscript = "call-view:open-to-transcript";

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

let callViewStart: number | null = null;

export function markCallViewOpened(): void {
  callViewStart = performance.now();
  performance.mark("call-view:opened", { startTime: callViewStart });
}

export function markCallViewTranscriptRendered(): void {
  if (callViewStart === null) return;
  const start = callViewStart;
  callViewStart = null;
  requestAnimationFrame(() => {
    const end = performance.now();
    performance.mark("call-view:transcript-rendered", { startTime: end });
    performance.measure(callViewOpenToTranscript, { start, end });
  });
}
