/**
 * The call's transcript for review, virtualised (@tanstack/react-virtual): an hour-long call has
 * ~800 utterances and only those on screen are in the DOM. Each utterance carries its drafted
 * intent as a chip (confidence and status); the one playing is highlighted, the selected one is
 * what the review keys act on, and the evidence of the selected card is marked. Rows are memoised,
 * so scrolling renders only the rows that come into view.
 */
import { useVirtualizer } from "@tanstack/react-virtual";
import {
  forwardRef,
  memo,
  useCallback,
  useImperativeHandle,
  useLayoutEffect,
  useMemo,
  useRef,
} from "react";
import { useTranslation } from "react-i18next";
import type { Locale, TranscriptSegment } from "../../api/types.ts";
import { clock } from "../../i18n/format.ts";
import { IntentChip } from "./intent-chip.tsx";
import { currentIntent, intentName } from "./item-content.ts";
import { markCallViewTranscriptRendered } from "./performance-marks.ts";
import type { IntentDefinition, ItemStatus, ReviewItem } from "./review-types.ts";
import { speakerLabel } from "./speaker-label.ts";

export interface CallTranscriptHandle {
  scrollToIndex(index: number): void;
}

export interface CallTranscriptProps {
  segments: readonly TranscriptSegment[];
  /** Intent items by segment ordinal. */
  intentsBySegment: ReadonlyMap<number, ReviewItem>;
  intents: readonly IntentDefinition[];
  locale: Locale;
  activeIndex: number;
  selectedIndex: number;
  /** Ordinals to mark as the evidence of the selected card. */
  evidence: ReadonlySet<number>;
  onSelect(index: number): void;
  onSeek?: (milliseconds: number) => void;
}

export const CallTranscript = forwardRef<CallTranscriptHandle, CallTranscriptProps>(
  function CallTranscript(
    {
      segments,
      intentsBySegment,
      intents,
      locale,
      activeIndex,
      selectedIndex,
      evidence,
      onSelect,
      onSeek,
    },
    handle,
  ) {
    const { t } = useTranslation();
    const scrollElement = useRef<HTMLDivElement>(null);
    const virtualizer = useVirtualizer({
      count: segments.length,
      getScrollElement: () => scrollElement.current,
      estimateSize: () => 84,
      overscan: 6,
    });
    useImperativeHandle(
      handle,
      () => ({
        scrollToIndex: (index) => virtualizer.scrollToIndex(index, { align: "center" }),
      }),
      [virtualizer],
    );

    useLayoutEffect(() => {
      if (segments.length > 0) markCallViewTranscriptRendered();
    }, [segments.length]);

    // Stable callbacks, so a row re-renders only when its own data changes.
    const latest = useRef({ onSelect, onSeek });
    latest.current = { onSelect, onSeek };
    const select = useCallback((index: number) => latest.current.onSelect(index), []);
    const seek = useCallback((milliseconds: number) => latest.current.onSeek?.(milliseconds), []);

    // Each distinct speaker gets a stable colour, in order of first appearance.
    const speakers = useMemo(() => {
      const indexes = new Map<string, { colour: number; label: string }>();
      for (const segment of segments)
        if (!indexes.has(segment.speaker))
          indexes.set(segment.speaker, {
            colour: indexes.size % 4,
            label: speakerLabel(t, segment.speaker),
          });
      return indexes;
    }, [segments, t]);

    return (
      <div
        ref={scrollElement}
        className="transcript transcript--review"
        data-testid="call-transcript"
        role="list"
        aria-label={t("review.call.transcript")}
      >
        <div className="transcript__inner" style={{ height: virtualizer.getTotalSize() }}>
          {virtualizer.getVirtualItems().map((row) => {
            const segment = segments[row.index];
            const item = intentsBySegment.get(segment.ordinal);
            const speaker = speakers.get(segment.speaker);
            return (
              <TranscriptRow
                key={row.key}
                index={row.index}
                start={row.start}
                segment={segment}
                speakerColour={speaker?.colour ?? 0}
                speakerName={speaker?.label ?? segment.speaker}
                intent={item ? intentName(intents, currentIntent(item), locale) : null}
                confidence={item?.confidence ?? null}
                status={item?.status ?? null}
                active={row.index === activeIndex}
                selected={row.index === selectedIndex}
                evidence={evidence.has(segment.ordinal)}
                measure={virtualizer.measureElement}
                onSelect={select}
                onSeek={onSeek ? seek : undefined}
              />
            );
          })}
        </div>
      </div>
    );
  },
);

interface TranscriptRowProps {
  index: number;
  start: number;
  segment: TranscriptSegment;
  speakerColour: number;
  speakerName: string;
  intent: string | null;
  confidence: number | null;
  /** Null when no intent was drafted for this utterance. */
  status: ItemStatus | null;
  active: boolean;
  selected: boolean;
  evidence: boolean;
  measure(element: HTMLElement | null): void;
  onSelect(index: number): void;
  onSeek?: (milliseconds: number) => void;
}

const TranscriptRow = memo(function TranscriptRow({
  index,
  start,
  segment,
  speakerColour,
  speakerName,
  intent,
  confidence,
  status,
  active,
  selected,
  evidence,
  measure,
  onSelect,
  onSeek,
}: TranscriptRowProps) {
  const { t } = useTranslation();
  const classes = [
    "utterance",
    "utterance--review",
    `speaker--${speakerColour}`,
    active ? "utterance--active" : "",
    selected ? "utterance--selected" : "",
    evidence ? "utterance--evidence" : "",
  ].join(" ");
  return (
    <div
      ref={measure}
      data-index={index}
      data-ordinal={segment.ordinal}
      data-selected={selected}
      className={classes}
      style={{ transform: `translateY(${start}px)` }}
      role="listitem"
      data-testid="call-utterance"
      onClick={() => onSelect(index)}
    >
      <div className="utterance__meta">
        {onSeek ? (
          <button
            type="button"
            className="utterance__time"
            title={t("recording.seekTo", { time: clock(segment.startMs) })}
            onClick={(event) => {
              event.stopPropagation();
              onSelect(index);
              onSeek(segment.startMs);
            }}
          >
            {clock(segment.startMs)}
          </button>
        ) : (
          <span className="utterance__time">{clock(segment.startMs)}</span>
        )}
        <span className="utterance__speaker">{speakerName}</span>
        {status !== null && (
          <IntentChip
            name={intent}
            confidence={confidence}
            status={status}
            corrected={status === "overridden"}
          />
        )}
      </div>
      <p className="utterance__text">{segment.text}</p>
    </div>
  );
});
