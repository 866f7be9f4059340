-- Retrieval routes by how selective its filter is (nearestNeighbours, core/draft/embeddings.ts):
-- a filter that lets through a few thousand rows is answered exactly, a larger one through the
-- HNSW index. HNSW scans of selective filters (2 % of the table) lost recall and time walking the
-- graph for rows that pass them (bench/vectors.ts). Both indexes hold rows by the retrieval's
-- filter columns, the talk-track moment included (otherwise every talk track of the
-- workspace is read to find one moment's).
--
-- embeddings_filter: small, so that counting the matching rows up to the cap is an index-only
-- scan (except for the moment, which PostgreSQL reads from the row). Every row, approved or not:
-- a search over all segments of a workspace counts its first 5,001 here, not in the table.
CREATE INDEX embeddings_filter ON embeddings
  (workspace_id, embedder, source_type, dimensions, approved, customer_stage, (payload->>'moment'));

-- embeddings_exact_384: the approved rows (what retrieval searches) of the local embedder's 384
-- dimensions with their ids and vectors, so that exact search over them is an index-only scan too (about half the time of reading
-- the scattered rows from the table). Other dimensions get theirs from ensureVectorIndex at
-- start-up, when their vectors fit in a b-tree entry.
CREATE INDEX embeddings_exact_384 ON embeddings
  (workspace_id, embedder, source_type, customer_stage, (payload->>'moment')) INCLUDE (id, embedding)
  WHERE approved AND dimensions = 384;
