-- Vector indexes hold `halfvec` instead of `vector`: half the size (112 MB instead of 195 MB at
-- 100k × 384, within PostgreSQL's default shared buffers), quicker to build, same recall@10
-- (bench/vectors.ts). The rows keep full precision. The old per-dimension indexes go; the one for
-- the local embedder's 384 dimensions is built here, the others by ensureVectorIndex at start-up
-- (core/draft/embeddings.ts), under their new names.
DO $$
DECLARE
  old_index record;
BEGIN
  FOR old_index IN
    SELECT indexname FROM pg_indexes
    WHERE schemaname = current_schema() AND tablename = 'embeddings' AND indexname ~ '^embeddings_hnsw_[0-9]+$'
  LOOP
    EXECUTE format('DROP INDEX %I', old_index.indexname);
  END LOOP;
END
$$;

CREATE INDEX embeddings_hnsw_halfvec_384 ON embeddings
  USING hnsw ((embedding::halfvec(384)) halfvec_cosine_ops) WITH (m = 16, ef_construction = 64)
  WHERE dimensions = 384;
