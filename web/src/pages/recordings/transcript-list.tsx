/**
 * The transcript, virtualised: an hour-long call has a thousand or more utterances, and only the
 * ones on screen are in the DOM. Rows have different heights (long and short turns), so each is
 * measured once rendered.
 */
import { useVirtualizer } from "@tanstack/react-virtual";
import { forwardRef, useImperativeHandle, useMemo, useRef } from "react";
import { useTranslation } from "react-i18next";
import type { TranscriptSegment } from "../../api/types.ts";
import { clock } from "../../i18n/format.ts";
import { speakerLabel } from "../review/speaker-label.ts";

export interface TranscriptListHandle {
  scrollToIndex(index: number): void;
}

export interface TranscriptListProps {
  segments: TranscriptSegment[];
  /** Index of the utterance being played, or -1. */
  activeIndex: number;
  selectedIndex: number;
  showOriginal: boolean;
  onSelect(index: number): void;
  /** Present when there is audio to seek in. */
  onSeek?: (milliseconds: number) => void;
}


export const TranscriptList = forwardRef<TranscriptListHandle, TranscriptListProps>(
  function TranscriptList(
    { segments, activeIndex, selectedIndex, showOriginal, onSelect, onSeek },
    handle,
  ) {
    const { t } = useTranslation();
    const scrollElement = useRef<HTMLDivElement>(null);
    const virtualizer = useVirtualizer({
      count: segments.length,
      getScrollElement: () => scrollElement.current,
      estimateSize: () => 72,
      overscan: 8,
    });
    useImperativeHandle(
      handle,
      () => ({ scrollToIndex: (index) => virtualizer.scrollToIndex(index, { align: "auto" }) }),
      [virtualizer],
    );

    // Each distinct speaker gets a stable colour, in order of first appearance.
    const speakerIndex = useMemo(() => {
      const indexes = new Map<string, number>();
      for (const segment of segments) {
        const speaker = segment.speaker ?? "";
        if (!indexes.has(speaker)) indexes.set(speaker, indexes.size);
      }
      return indexes;
    }, [segments]);

    const speakerName = (speaker: string | null) => speakerLabel(t, speaker);

    return (
      <div ref={scrollElement} className="transcript" data-testid="transcript" role="list">
        <div className="transcript__inner" style={{ height: virtualizer.getTotalSize() }}>
          {virtualizer.getVirtualItems().map((item) => {
            const segment = segments[item.index];
            const text = showOriginal && segment.originalText ? segment.originalText : segment.text;
            const classes = [
              "utterance",
              `speaker--${(speakerIndex.get(segment.speaker ?? "") ?? 0) % 4}`,
              item.index === activeIndex ? "utterance--active" : "",
              item.index === selectedIndex ? "utterance--selected" : "",
            ].join(" ");
            return (
              <div
                key={item.key}
                ref={virtualizer.measureElement}
                data-index={item.index}
                className={classes}
                style={{ transform: `translateY(${item.start}px)` }}
                role="listitem"
                data-testid="utterance"
                onClick={() => {
                  onSelect(item.index);
                  // The whole line plays from its start, as the timestamp does — unless the click
                  // ended a text selection (copying a sentence should not move the audio).
                  if (onSeek && !window.getSelection()?.toString()) onSeek(segment.startMs);
                }}
              >
                <div className="utterance__meta">
                  {onSeek ? (
                    <button
                      type="button"
                      className="utterance__time"
                      title={t("recording.seekTo", { time: clock(segment.startMs) })}
                      onClick={(event) => {
                        event.stopPropagation();
                        onSelect(item.index);
                        onSeek(segment.startMs);
                      }}
                    >
                      {clock(segment.startMs)}
                    </button>
                  ) : (
                    <span className="utterance__time">{clock(segment.startMs)}</span>
                  )}
                  <span className="utterance__speaker">{speakerName(segment.speaker)}</span>
                </div>
                <p className="utterance__text">{text}</p>
              </div>
            );
          })}
        </div>
      </div>
    );
  },
);
