import { lazy, Suspense, useState } from "react";
import type { RefObject } from "react";
import { useTranslation } from "react-i18next";

const Waveform = lazy(() => import("./waveform.tsx"));

/** Longer audio plays without a waveform: it would mean downloading and decoding all of it first. */
export const waveformLimitMs = 10 * 60_000;

export interface AudioPlayerProps {
  src: string;
  durationMs: number | null;
  audioReference: RefObject<HTMLAudioElement | null>;
  onTimeUpdate(milliseconds: number): void;
  onPlayingChange(playing: boolean): void;
}

export function AudioPlayer({
  src,
  durationMs,
  audioReference,
  onTimeUpdate,
  onPlayingChange,
}: AudioPlayerProps) {
  const { t } = useTranslation();
  const [media, setMedia] = useState<HTMLAudioElement | null>(null);
  const [failed, setFailed] = useState(false);
  const showWaveform =
    durationMs !== null && durationMs > 0 && durationMs <= waveformLimitMs && !failed;
  return (
    <div className="player" data-testid="audio-player">
      {showWaveform && media && (
        <Suspense fallback={<div className="waveform waveform--loading" />}>
          <Waveform media={media} url={src} onError={() => setFailed(true)} />
        </Suspense>
      )}
      <audio
        ref={(element) => {
          audioReference.current = element;
          setMedia(element);
        }}
        controls
        preload="metadata"
        src={src}
        onTimeUpdate={(event) => onTimeUpdate(event.currentTarget.currentTime * 1000)}
        onPlay={() => onPlayingChange(true)}
        onPause={() => onPlayingChange(false)}
        onError={() => setFailed(true)}
      />
      {failed && <p className="message message--error">{t("recording.audioFailed")}</p>}
    </div>
  );
}
