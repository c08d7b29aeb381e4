/**
 * One test per migration (fresh file → version N; a file at N-1 upgrades to N with its data kept; the
 * schema has the tables and columns of that step, all STRICT), plus the database-level guarantees:
 * WAL and pragmas, a failing migration rolls back whole, a newer file is refused untouched.
 */
import { createHash } from 'node:crypto'
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { PREVIEW_NOISE_SEED } from '@shared/store/types'
import {
  DatabaseTooNewError,
  DatabaseUnreadableError,
  SCHEMA_VERSION,
  openDatabase,
  userVersion,
} from '../../src-main/store'
import { MIGRATIONS, type Migration } from '../../src-main/store/migrations'
import { tempDir } from './helpers'

type Db = BetterSqlite3.Database

/** Tables each migration adds, with their columns. */
const EXPECTED: Record<number, Record<string, string[]>> = {
  1: {
    teachers: ['id', 'name', 'dataset', 'path', 'config_json', 'run_id', 'created_at', 'notes'],
    runs: [
      'id',
      'kind',
      'status',
      'config_json',
      'teacher_id',
      'parent_run_id',
      'parent_kind',
      'parent_step',
      'backend',
      'app_version',
      'seed',
      'created_at',
      'started_at',
      'finished_at',
      'error',
      'notes',
      'owner_host',
      'owner_pid',
    ],
    run_tags: ['run_id', 'tag'],
  },
  2: {
    metric_series: ['id', 'run_id', 'key', 'count', 'first_step', 'last_step', 'last_value', 'last_wall_ms'],
    metric_points: ['series_id', 'step', 'value', 'wall_ms'],
    metric_blocks: [
      'series_id',
      'first_step',
      'last_step',
      'count',
      'first_value',
      'last_value',
      'min_value',
      'max_value',
    ],
  },
  3: {
    evaluations: ['id', 'run_id', 'step', 'metric', 'model', 'nfe', 'value', 'created_at'],
    samples: ['id', 'run_id', 'step', 'nfe', 'kind', 'path', 'data', 'noise_seed', 'created_at'],
    checkpoints: ['id', 'run_id', 'step', 'path', 'bytes', 'created_at'],
  },
  4: {},
  5: {
    datasets: [
      'id',
      'name',
      'kind',
      'path',
      'count',
      'height',
      'width',
      'channels',
      'sha256',
      'meta_json',
      'created_at',
    ],
  },
  6: {},
  7: {},
  8: {},
  9: {},
  10: {},
  11: {},
  12: {},
  13: {},
  14: {},
  15: {},
  16: {},
}

/** Columns a migration adds to tables of earlier ones. */
const ADDED: Record<number, Record<string, string[]>> = {
  2: { runs: ['last_metrics_json'] },
  4: { samples: ['model'] },
  6: { samples: ['role'] },
  10: { runs: ['verdict', 'verdict_reason'] },
  12: { runs: ['name'] },
  13: { runs: ['grid_top'] },
}

function tables(db: Db): Map<string, { strict: boolean; columns: string[] }> {
  const list = db
    .prepare("SELECT name, strict FROM pragma_table_list WHERE schema = 'main' AND name NOT LIKE 'sqlite_%'")
    .all() as { name: string; strict: number }[]
  return new Map(
    list.map((t) => [
      t.name,
      {
        strict: t.strict === 1,
        columns: db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all(t.name) as string[],
      },
    ]),
  )
}

const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex')

/** Sample rows written at a version, checked after upgrading. */
const SEED: Record<number, (db: Db) => void> = {
  1: (db) => {
    db.prepare(
      "INSERT INTO runs (id, kind, status, config_json, app_version, created_at) VALUES ('r1', 'distill', 'finished', '{}', 't', 1)",
    ).run()
    db.prepare("INSERT INTO run_tags VALUES ('r1', 'kept')").run()
  },
  2: (db) => {
    db.prepare(
      "INSERT INTO metric_series (id, run_id, key, count, first_step, last_step, last_value) VALUES (1, 'r1', 'loss', 1, 0, 0, 0.5)",
    ).run()
    db.prepare('INSERT INTO metric_points VALUES (1, 0, 0.5, 1)').run()
  },
  3: (db) => {
    db.prepare(
      "INSERT INTO samples (run_id, step, nfe, kind, path, noise_seed, created_at) VALUES ('r1', 5, 1, 'student', 'samples/student-nfe1.csv', 0, 1)",
    ).run()
  },
  4: (db) => {
    // Previews as older versions wrote them: 2D blobs, and image PNGs from the fixed preview noise.
    const insert = db.prepare(
      'INSERT INTO samples (run_id, step, nfe, kind, model, path, data, noise_seed, created_at) VALUES (?, ?, 1, ?, ?, ?, ?, ?, 1)',
    )
    insert.run('r1', 10, 'points2d', 'student', null, Buffer.from([1, 2, 3, 4]), PREVIEW_NOISE_SEED)
    insert.run('r1', 10, 'png', 'student', 'samples/preview.png', null, PREVIEW_NOISE_SEED)
    insert.run('r1', 20, 'png', 'student', 'samples/final.png', null, 7)
  },
  5: (db) => {
    const insert = db.prepare(
      "INSERT INTO datasets (id, name, kind, path, count, height, width, channels, sha256, meta_json, created_at) VALUES (?, 'd', 'mnist', ?, 1, 28, 28, 1, ?, '{}', 1)",
    )
    insert.run('d1', 'datasets/d1', 'a'.repeat(64))
    // The same content (sha256) is stored once, even when two processes race to import it.
    expect(() => insert.run('d2', 'datasets/d2', 'a'.repeat(64))).toThrow(/UNIQUE constraint failed: datasets.sha256/)
  },
  6: (db) => {
    const insert = db.prepare(
      "INSERT INTO samples (run_id, step, nfe, kind, model, role, path, noise_seed, created_at) VALUES ('r1', 30, 1, 'png', 'student', ?, 'samples/x.png', 0, 1)",
    )
    insert.run('final')
    expect(() => insert.run('live')).toThrow(/CHECK constraint failed/)
    // Beside r1 ('{}', a distillation from before teacherSubsteps): one that has the field, and a teacher run.
    const run = db.prepare(
      "INSERT INTO runs (id, kind, status, config_json, app_version, created_at) VALUES (?, ?, 'finished', ?, 't', 1)",
    )
    run.run('r2', 'distill', '{"numScales":8,"teacherSubsteps":4}')
    run.run('r3', 'teacher', '{"steps":10}')
  },
  7: (db) => {
    // A distillation stored at version 7 with a top pair share of its own.
    db.prepare(
      "INSERT INTO runs (id, kind, status, config_json, app_version, created_at) VALUES ('r4', 'distill', 'finished', '{\"topPairShare\":0.5}', 't', 1)",
    ).run()
  },
  8: (db) => {
    // A distillation stored at version 8 with a grid top of its own.
    db.prepare(
      "INSERT INTO runs (id, kind, status, config_json, app_version, created_at) VALUES ('r5', 'distill', 'finished', '{\"sigmaMax\":80}', 't', 1)",
    ).run()
  },
  10: (db) => {
    // #17 A teacher stored at version 10 with a warm-up of its own.
    db.prepare(
      "INSERT INTO runs (id, kind, status, config_json, app_version, created_at) VALUES ('r6', 'teacher', 'finished', '{\"warmupSteps\":50}', 't', 1)",
    ).run()
  },
}

it('the migrations are numbered 1..N with no gaps and SCHEMA_VERSION is the last', () => {
  expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1))
  expect(SCHEMA_VERSION).toBe(MIGRATIONS.length)
  expect(Object.keys(EXPECTED).map(Number)).toEqual(MIGRATIONS.map((m) => m.version))
})

describe.each(MIGRATIONS.map((m) => [m.version, m.name] as const))('migration %i (%s)', (version) => {
  it(`a fresh file migrated to ${version} has user_version ${version} and exactly the tables so far, all STRICT`, () => {
    const db = openDatabase(join(tempDir(), 'lab.sqlite'), { migrateTo: version })
    try {
      expect(userVersion(db)).toBe(version)
      const have = tables(db)
      const expected = Object.assign(
        {},
        ...Object.entries(EXPECTED)
          .filter(([v]) => Number(v) <= version)
          .map(([, t]) => t),
      ) as Record<string, string[]>
      for (const [v, added] of Object.entries(ADDED)) {
        if (Number(v) > version) continue
        for (const [table, columns] of Object.entries(added)) expected[table] = [...(expected[table] ?? []), ...columns]
      }
      expect([...have.keys()].sort()).toEqual(Object.keys(expected).sort())
      for (const [name, columns] of Object.entries(expected)) {
        expect(have.get(name)?.columns, name).toEqual(columns)
        expect(have.get(name)?.strict, `${name} is STRICT`).toBe(true)
      }
      expect(db.pragma('foreign_key_check')).toEqual([])
    } finally {
      db.close()
    }
  })

  it(`a file at version ${version - 1} with data upgrades to ${version} and keeps its rows`, () => {
    const file = join(tempDir(), 'lab.sqlite')
    let db = openDatabase(file, { migrateTo: version - 1 })
    for (let v = 1; v < version; v++) SEED[v]?.(db)
    expect(userVersion(db)).toBe(version - 1)
    db.close()
    db = openDatabase(file, { migrateTo: version })
    try {
      expect(userVersion(db)).toBe(version)
      if (version > 1) {
        expect(db.prepare("SELECT tag FROM run_tags WHERE run_id = 'r1'").pluck().all()).toEqual(['kept'])
      }
      if (version > 2) expect(db.prepare('SELECT value FROM metric_points').pluck().all()).toEqual([0.5])
      // Version 4 splits the old sample `kind` (the model) into model + format.
      if (version === 4)
        expect(db.prepare('SELECT model, kind FROM samples').all()).toEqual([{ model: 'student', kind: 'csv2d' }])
      // Version 6 gives every sample a role: the older previews are told apart by format and noise seed.
      if (version === 6) {
        expect(db.prepare('SELECT step, kind, noise_seed AS seed, role FROM samples ORDER BY id').all()).toEqual([
          { step: 5, kind: 'student', seed: 0, role: 'final' },
          { step: 10, kind: 'points2d', seed: PREVIEW_NOISE_SEED, role: 'preview' },
          { step: 10, kind: 'png', seed: PREVIEW_NOISE_SEED, role: 'preview' },
          { step: 20, kind: 'png', seed: 7, role: 'final' },
        ])
      }
      // Version 7 writes into older distillation configs the fields added since, as those runs ran.
      if (version === 7) {
        expect(db.prepare('SELECT id, config_json AS config FROM runs ORDER BY id').all()).toEqual([
          { id: 'r1', config: '{"teacherSubsteps":1}' },
          { id: 'r2', config: '{"numScales":8,"teacherSubsteps":4}' },
          { id: 'r3', config: '{"steps":10}' },
        ])
      }
      // Version 8 adds topPairShare the same way: 0, the uniform draw of n those runs had.
      if (version === 8) {
        expect(db.prepare('SELECT id, config_json AS config FROM runs ORDER BY id').all()).toEqual([
          { id: 'r1', config: '{"topPairShare":0}' },
          { id: 'r2', config: '{"numScales":8,"teacherSubsteps":4,"topPairShare":0}' },
          { id: 'r3', config: '{"steps":10}' },
          { id: 'r4', config: '{"topPairShare":0.5}' },
        ])
      }
      // Version 9 adds sigmaMax: null, the grid up to the teacher's last step those runs had.
      if (version === 9) {
        expect(db.prepare('SELECT id, config_json AS config FROM runs ORDER BY id').all()).toEqual([
          { id: 'r1', config: '{"sigmaMax":null}' },
          { id: 'r2', config: '{"numScales":8,"teacherSubsteps":4,"sigmaMax":null}' },
          { id: 'r3', config: '{"steps":10}' },
          { id: 'r4', config: '{"topPairShare":0.5,"sigmaMax":null}' },
          { id: 'r5', config: '{"sigmaMax":80}' },
        ])
      }
      // #19 Version 10 adds run verdicts: the runs stored before have none (not diverged); a verdict is checked.
      if (version === 10) {
        expect(db.prepare('SELECT DISTINCT verdict, verdict_reason FROM runs').all()).toEqual([
          { verdict: null, verdict_reason: null },
        ])
        expect(() => db.prepare("UPDATE runs SET verdict = 'bad' WHERE id = 'r1'").run()).toThrow(/CHECK constraint/)
      }
      // #17 Version 11 writes issue 17's teacher fields into older teacher configs, as those teachers trained.
      if (version === 11) {
        const teachers = db.prepare("SELECT id, config_json AS config FROM runs WHERE kind = 'teacher' ORDER BY id")
        expect(teachers.all()).toEqual([
          { id: 'r3', config: '{"steps":10,"fourierFeatures":0,"fourierMaxFrequency":50,"ema":0,"warmupSteps":200}' },
          { id: 'r6', config: '{"warmupSteps":50,"fourierFeatures":0,"fourierMaxFrequency":50,"ema":0}' },
        ])
        expect(db.prepare("SELECT config_json FROM runs WHERE id = 'r1'").pluck().get()).not.toContain('fourier')
      }
      // #17 Version 14 gives older teacher configs the step sampling power they trained with (uniform, 1).
      if (version === 14) {
        const teachers = db.prepare("SELECT id, config_json AS config FROM runs WHERE kind = 'teacher' ORDER BY id")
        for (const row of teachers.all() as { id: string; config: string }[]) {
          expect(JSON.parse(row.config).stepPower, row.id).toBe(1)
        }
        expect(teachers.all().length).toBeGreaterThan(0)
        expect(db.prepare("SELECT config_json FROM runs WHERE id = 'r1'").pluck().get()).not.toContain('stepPower')
      }
      // #17 Version 15 gives older distillation configs the top share's target they trained with (next-level).
      if (version === 15) {
        const runs = db.prepare('SELECT id, kind, config_json AS config FROM runs ORDER BY id').all() as {
          id: string
          kind: string
          config: string
        }[]
        for (const row of runs) {
          const target = JSON.parse(row.config).topPairTarget
          expect(target, row.id).toBe(row.kind === 'distill' ? 'next-level' : undefined)
        }
        expect(runs.filter((r) => r.kind === 'distill').length).toBeGreaterThan(0)
        expect(runs.filter((r) => r.kind === 'teacher').length).toBeGreaterThan(0)
      }
      // #17 Version 16: older distillation configs replayed none of the top share's solves.
      if (version === 16) {
        const runs = db.prepare('SELECT kind, config_json AS config FROM runs').all() as {
          kind: string
          config: string
        }[]
        for (const row of runs)
          expect(JSON.parse(row.config).topPairReplay).toBe(row.kind === 'distill' ? 0 : undefined)
        expect(runs.some((r) => r.kind === 'distill')).toBe(true)
      }
      SEED[version]?.(db) // the new tables accept rows
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok')
    } finally {
      db.close()
    }
  })
})

describe('openDatabase', () => {
  it('opens in WAL mode with a busy timeout, foreign keys on and synchronous FULL', () => {
    const file = join(tempDir(), 'lab.sqlite')
    const db = openDatabase(file)
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
      expect(db.pragma('busy_timeout', { simple: true })).toBe(5000)
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1)
      expect(db.pragma('synchronous', { simple: true })).toBe(2)
      expect(userVersion(db)).toBe(SCHEMA_VERSION)
    } finally {
      db.close()
    }
    const again = openDatabase(file) // reopening an up-to-date file changes nothing
    expect(userVersion(again)).toBe(SCHEMA_VERSION)
    again.close()
  })

  it('a migration that fails rolls back whole: no half-made tables, user_version unchanged', () => {
    const file = join(tempDir(), 'lab.sqlite')
    const broken: Migration = {
      version: MIGRATIONS.length + 1,
      name: 'broken',
      up(db) {
        db.exec('CREATE TABLE half_made (x INTEGER) STRICT')
        db.exec('INSERT INTO no_such_table VALUES (1)')
      },
    }
    expect(() => openDatabase(file, { migrations: [...MIGRATIONS, broken] })).toThrow(/no_such_table/)
    const db = openDatabase(file)
    try {
      expect(userVersion(db)).toBe(SCHEMA_VERSION)
      expect(tables(db).has('half_made')).toBe(false)
    } finally {
      db.close()
    }
  })

  it('refuses a database from a newer app with DatabaseTooNewError and leaves the file byte for byte', () => {
    const file = join(tempDir(), 'lab.sqlite')
    const db = openDatabase(file)
    db.prepare(
      "INSERT INTO runs (id, kind, status, config_json, app_version, created_at) VALUES ('r1', 'distill', 'running', '{}', 't', 1)",
    ).run()
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`)
    db.close()
    const before = sha(file)
    let error: unknown
    try {
      openDatabase(file)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(DatabaseTooNewError)
    const tooNew = error as DatabaseTooNewError
    expect(tooNew.name).toBe('DatabaseTooNewError')
    expect(tooNew.code).toBe('DATABASE_TOO_NEW')
    expect(tooNew.message).toContain(file)
    expect(tooNew.message).toContain(`version ${SCHEMA_VERSION + 1}`)
    expect(tooNew.message).toContain(`up to ${SCHEMA_VERSION}`)
    expect(sha(file)).toBe(before)
    // A read-only look at a WAL-mode file may leave an empty -wal beside it, never frames.
    if (existsSync(`${file}-wal`)) expect(statSync(`${file}-wal`).size).toBe(0)
  })

  it('names a file that is not a database', () => {
    const file = join(tempDir(), 'lab.sqlite')
    writeFileSync(file, 'this is not sqlite'.repeat(100))
    expect(() => openDatabase(file)).toThrow(DatabaseUnreadableError)
  })
})
