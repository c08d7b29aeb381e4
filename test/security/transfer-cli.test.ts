/**
 * Issue #15.1 from the terminal: `clab runs export --out` and `clab teachers export` write where the user
 * names, but never over the data folder's own files (only below its exports/, or outside it), and never over
 * any existing file.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openLabStore } from '../../src-main/store'
import { clab, tempFolders, TEST_DATA_DIR } from '../helpers/cli'

const temps = tempFolders()
let runId: string

beforeAll(() => {
  const store = openLabStore({ dataDir: TEST_DATA_DIR })
  try {
    runId = store.runs.createRun({ kind: 'distill', config: {}, appVersion: '0.0.0', status: 'finished', notes: 'cli export' }).id
  } finally {
    store.close()
  }
})

afterAll(() => temps.removeAll())

function integrity(): string {
  const db = new BetterSqlite3(join(TEST_DATA_DIR, 'lab.sqlite'), { readonly: true, fileMustExist: true })
  try {
    return db.pragma('integrity_check', { simple: true }) as string
  } finally {
    db.close()
  }
}

describe('clab exports', () => {
  it('#15.1 clab teachers export and clab runs export refuse to write over the data folder\'s lab.sqlite', async () => {
    const database = join(TEST_DATA_DIR, 'lab.sqlite')
    for (const target of [database, join(TEST_DATA_DIR, 'LAB.sqlite-wal'), join(TEST_DATA_DIR, 'runs', 'x.ckpt')]) {
      const teacher = await clab(['teachers', 'export', 'builtin-moons', target])
      expect(teacher.code, teacher.stderr).toBe(2)
      expect(teacher.stderr).toContain(target)
      expect(teacher.stderr).toMatch(/belongs to the run history/)
    }
    for (const out of [TEST_DATA_DIR, join(TEST_DATA_DIR, 'datasets', 'x'), join(TEST_DATA_DIR, 'Runs', 'x'), join(TEST_DATA_DIR, 'elsewhere')]) {
      const run = await clab(['runs', 'export', runId, '--out', out])
      expect(run.code, run.stderr).toBe(2)
      expect(run.stderr).toMatch(/--out: .*(belongs to the run history|data folder)/)
    }
    expect(readFileSync(database).subarray(0, 15).toString('latin1')).toBe('SQLite format 3')
    expect(integrity()).toBe('ok')
    for (const path of ['datasets/x', 'Runs', 'elsewhere', 'runs/x.ckpt']) expect(existsSync(join(TEST_DATA_DIR, path)), path).toBe(false)
  })

  it('#15.1 the CLI still exports anywhere else the user names, and below exports/, never over an existing file', async () => {
    const dir = temps.fresh('clab-export-')
    const ok = await clab(['teachers', 'export', 'builtin-moons', join(dir, 'moons.ckpt')])
    expect(ok.code, ok.stderr).toBe(0)
    expect(readFileSync(join(dir, 'moons.ckpt')).subarray(0, 8).toString('ascii')).toBe('CLABCKPT')
    const again = await clab(['teachers', 'export', 'builtin-rings', join(dir, 'moons.ckpt')])
    expect(again.code).toBe(2)
    expect(again.stderr).toMatch(/moons\.ckpt: already exists/)
    const inside = await clab(['runs', 'export', runId, '--out', join(TEST_DATA_DIR, 'exports', 'run')])
    expect(inside.code, inside.stderr).toBe(0)
    expect(JSON.parse(readFileSync(join(TEST_DATA_DIR, 'exports', 'run', 'run.json'), 'utf8'))).toMatchObject({ id: runId, notes: 'cli export' })
    mkdirSync(join(dir, 'run'))
    writeFileSync(join(dir, 'run', 'run.json'), 'mine')
    const onto = await clab(['runs', 'export', runId, '--out', join(dir, 'run')])
    expect(onto.code).toBe(2)
    expect(onto.stderr).toMatch(/run\.json: already exists/)
    expect(readFileSync(join(dir, 'run', 'run.json'), 'utf8')).toBe('mine')
  })
})
