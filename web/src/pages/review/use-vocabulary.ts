import { useEffect, useState } from "react";
import { loadVocabulary } from "./review-api.ts";
import type { Vocabulary } from "./review-types.ts";

/** The workspace's intents and action catalogue, once any call to ask about is known. */
export function useVocabulary(recordingId: string | null | undefined): Vocabulary | null {
  const [vocabulary, setVocabulary] = useState<Vocabulary | null>(null);
  useEffect(() => {
    if (!recordingId || vocabulary) return;
    let cancelled = false;
    loadVocabulary(recordingId)
      .then((value) => {
        if (!cancelled) setVocabulary(value);
      })
      .catch(() => undefined);
    return () => {
      cancelled = true;
    };
  }, [recordingId, vocabulary]);
  return vocabulary;
}
