import type { Migration } from './types'

/**
 * Teachers, runs and run tags.
 *
 * Run ids are TEXT, sortable by creation time: `YYYYMMDD-HHMMSS-` (UTC) plus 8 random base-32 characters
 * (see ../ids.ts). They name the run folder (`runs/<id>/`), read well in a terminal, and never repeat
 * across the CLI and the app writing the same file (an autoincrement integer would be fine in one
 * database, but ids also travel in exports and folder names).
 * Times are INTEGER milliseconds since the epoch. `config_json` is written when the run is created,
 * before step 0. `owner_host`/`owner_pid` name the process that set the run `running` or `paused`, so
 * start-up recovery marks `interrupted` only runs whose process is gone (the CLI may be running one).
 */
export const migration001: Migration = {
  version: 1,
  name: 'runs',
  up(db) {
    db.exec(`
      CREATE TABLE teachers (
        id          TEXT PRIMARY KEY,
        name        TEXT NOT NULL,
        dataset     TEXT NOT NULL,
        path        TEXT NOT NULL,
        config_json TEXT NOT NULL CHECK (json_valid(config_json)),
        run_id      TEXT REFERENCES runs (id) ON DELETE SET NULL,
        created_at  INTEGER NOT NULL,
        notes       TEXT NOT NULL DEFAULT ''
      ) STRICT;

      CREATE TABLE runs (
        id            TEXT PRIMARY KEY,
        kind          TEXT NOT NULL CHECK (kind IN ('distill', 'teacher')),
        status        TEXT NOT NULL CHECK (status IN ('queued', 'running', 'paused', 'finished', 'failed', 'cancelled', 'interrupted')),
        config_json   TEXT NOT NULL CHECK (json_valid(config_json)),
        teacher_id    TEXT REFERENCES teachers (id),
        parent_run_id TEXT REFERENCES runs (id) ON DELETE SET NULL,
        parent_kind   TEXT CHECK (parent_kind IN ('resume', 'branch')),
        parent_step   INTEGER,
        backend       TEXT,
        app_version   TEXT NOT NULL,
        seed          INTEGER,
        created_at    INTEGER NOT NULL,
        started_at    INTEGER,
        finished_at   INTEGER,
        error         TEXT,
        notes         TEXT NOT NULL DEFAULT '',
        owner_host    TEXT,
        owner_pid     INTEGER,
        CHECK (parent_run_id IS NULL OR parent_kind IS NOT NULL)
      ) STRICT;
      CREATE INDEX runs_by_created ON runs (created_at DESC, id DESC);
      CREATE INDEX runs_by_status ON runs (status);
      CREATE INDEX runs_by_teacher ON runs (teacher_id) WHERE teacher_id IS NOT NULL;
      CREATE INDEX runs_by_parent ON runs (parent_run_id) WHERE parent_run_id IS NOT NULL;
      CREATE INDEX teachers_by_run ON teachers (run_id) WHERE run_id IS NOT NULL;

      CREATE TABLE run_tags (
        run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        tag    TEXT NOT NULL CHECK (length(tag) BETWEEN 1 AND 64),
        PRIMARY KEY (run_id, tag)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX run_tags_by_tag ON run_tags (tag, run_id);
    `)
  },
}
