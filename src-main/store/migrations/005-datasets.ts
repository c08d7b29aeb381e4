import type { Migration } from './types'

/**
 * Imported image datasets. The files live in `datasets/<id>/` (`path` is relative to the data folder, so
 * the folder can move); the row repeats the shape for listing and keeps `dataset.json` in `meta_json`.
 * `sha256` is the hash of the stored content (shape, pixels, labels): UNIQUE, so the same data is stored
 * once even when the CLI and the app import it at the same moment. `kind` is not constrained by a CHECK:
 * new readers add kinds without a table rebuild, and the service validates it.
 */
export const migration005: Migration = {
  version: 5,
  name: 'datasets',
  up(db) {
    db.exec(`
      CREATE TABLE datasets (
        id         TEXT PRIMARY KEY,
        name       TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        kind       TEXT NOT NULL CHECK (length(kind) BETWEEN 1 AND 64),
        path       TEXT NOT NULL,
        count      INTEGER NOT NULL CHECK (count > 0),
        height     INTEGER NOT NULL CHECK (height > 0),
        width      INTEGER NOT NULL CHECK (width > 0),
        channels   INTEGER NOT NULL CHECK (channels > 0),
        sha256     TEXT NOT NULL UNIQUE CHECK (length(sha256) = 64),
        meta_json  TEXT NOT NULL CHECK (json_valid(meta_json)),
        created_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX datasets_by_created ON datasets (created_at DESC, id DESC);
    `)
  },
}
