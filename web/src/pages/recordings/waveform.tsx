/**
 * The waveform above the audio controls (wavesurfer.js, loaded only with this component). It
 * drives the page's own <audio> element, so seeking from the transcript and from the waveform stay
 * in step. Only used for shorter recordings: drawing one means downloading and decoding the whole
 * file in the browser.
 */
import { useEffect, useRef } from "react";
import WaveSurfer from "wavesurfer.js";

function cssVariable(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

export default function Waveform({
  media,
  url,
  onError,
}: {
  media: HTMLMediaElement;
  url: string;
  onError(): void;
}) {
  const container = useRef<HTMLDivElement>(null);
  const onErrorReference = useRef(onError);
  onErrorReference.current = onError;

  useEffect(() => {
    if (!container.current) return;
    const waveSurfer = WaveSurfer.create({
      container: container.current,
      media,
      // Absolute, so wavesurfer sees the element already plays this address and keeps streaming it.
      url: new URL(url, window.location.href).href,
      height: 72,
      normalize: true,
      barWidth: 2,
      barGap: 1,
      barRadius: 2,
      waveColor: cssVariable("--color-waveform", "#b8c2d6"),
      progressColor: cssVariable("--color-accent", "#2f5bd3"),
      cursorColor: cssVariable("--color-text", "#1c2333"),
      fetchParams: { credentials: "same-origin" },
    });
    const stop = waveSurfer.on("error", () => onErrorReference.current());
    return () => {
      stop();
      waveSurfer.destroy();
    };
  }, [media, url]);

  return <div ref={container} className="waveform" data-testid="waveform" />;
}
