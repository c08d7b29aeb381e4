import type { Migration } from './types'

/**
 * Metric series. A run's metric `key` (loss, lr, …) is one row of `metric_series`, which also keeps the
 * series' last point, so listing 10k runs with their last metrics reads one small row per series.
 * Points live in `metric_points` keyed by (series_id, step) — the (run_id, key, step) index of the design,
 * with the run and key factored out so a point is ~20 bytes. NaN is stored as NULL (SQLite has no NaN).
 *
 * `metric_blocks` summarises consecutive runs of up to 64 points of a series (by step): count, first/last
 * step and value, min and max. Downsampling merges whole blocks and reads raw points only for blocks that
 * straddle a bucket edge, which keeps min/max/last exact while reading ~1/20 of the rows.
 * Blocks are rebuilt from the raw points when points arrive out of order (see metrics-repo.ts).
 *
 * `runs.last_metrics_json` caches `{ key: { step, value } }` of the run's series, recomputed from
 * `metric_series` in every metric write transaction, so listing 10k runs reads one column per run.
 */
export const migration002: Migration = {
  version: 2,
  name: 'metrics',
  up(db) {
    db.exec(`
      ALTER TABLE runs ADD COLUMN last_metrics_json TEXT CHECK (last_metrics_json IS NULL OR json_valid(last_metrics_json));

      CREATE TABLE metric_series (
        id         INTEGER PRIMARY KEY,
        run_id     TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        key        TEXT NOT NULL CHECK (length(key) BETWEEN 1 AND 128),
        count      INTEGER NOT NULL DEFAULT 0,
        first_step INTEGER,
        last_step  INTEGER,
        last_value REAL,
        last_wall_ms INTEGER,
        UNIQUE (run_id, key)
      ) STRICT;

      CREATE TABLE metric_points (
        series_id INTEGER NOT NULL REFERENCES metric_series (id) ON DELETE CASCADE,
        step      INTEGER NOT NULL CHECK (step >= 0),
        value     REAL,
        wall_ms   INTEGER NOT NULL,
        PRIMARY KEY (series_id, step)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE metric_blocks (
        series_id   INTEGER NOT NULL REFERENCES metric_series (id) ON DELETE CASCADE,
        first_step  INTEGER NOT NULL,
        last_step   INTEGER NOT NULL,
        count       INTEGER NOT NULL,
        first_value REAL,
        last_value  REAL,
        min_value   REAL,
        max_value   REAL,
        PRIMARY KEY (series_id, first_step)
      ) STRICT, WITHOUT ROWID;
    `)
  },
}
