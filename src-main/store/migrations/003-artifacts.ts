import type { Migration } from './types'

/**
 * Evaluations, samples and checkpoints of a run. File paths are relative to the run folder `runs/<id>/`,
 * so a data folder can be moved. A sample is either a file (`path`) or a small blob (`data`), never both.
 */
export const migration003: Migration = {
  version: 3,
  name: 'artifacts',
  up(db) {
    db.exec(`
      CREATE TABLE evaluations (
        id         INTEGER PRIMARY KEY,
        run_id     TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        step       INTEGER NOT NULL CHECK (step >= 0),
        metric     TEXT NOT NULL,
        model      TEXT NOT NULL,
        nfe        INTEGER NOT NULL CHECK (nfe >= 0),
        value      REAL,
        created_at INTEGER NOT NULL,
        UNIQUE (run_id, step, metric, model, nfe)
      ) STRICT;

      CREATE TABLE samples (
        id         INTEGER PRIMARY KEY,
        run_id     TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        step       INTEGER NOT NULL CHECK (step >= 0),
        nfe        INTEGER NOT NULL CHECK (nfe >= 0),
        kind       TEXT NOT NULL,
        path       TEXT,
        data       BLOB,
        noise_seed INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        CHECK ((path IS NULL) <> (data IS NULL))
      ) STRICT;
      CREATE INDEX samples_by_run ON samples (run_id, step, nfe);

      CREATE TABLE checkpoints (
        id         INTEGER PRIMARY KEY,
        run_id     TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        step       INTEGER NOT NULL CHECK (step >= 0),
        path       TEXT NOT NULL,
        bytes      INTEGER NOT NULL CHECK (bytes >= 0),
        created_at INTEGER NOT NULL,
        UNIQUE (run_id, step)
      ) STRICT;
    `)
  },
}
