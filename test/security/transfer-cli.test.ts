/**
 * Issue #15.1 from the terminal: `clab runs export --out` and `clab teachers export` write where the user
 * names, but never over the data folder's own files (only below its exports/, or outside it), and never over
 * any existing file. `clab teacher --out` and `clab distill` / `clab runs resume --export` write where the user
 * names too (a re-run refreshes its own export), but never into the data folder's own files.
 * Issue #15.2 from the terminal: `clab runs import` of a folder whose run.json names `../../../x`.
 */
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { beforeAll, describe, expect, it } from 'vitest'
import { parseDistillConfig } from '@shared/config/validate'
import { openLabStore } from '../../src-main/store'
import { clab, lastJsonLine, TEST_DATA_DIR } from '../helpers/cli'
import { tempFolders } from '../helpers/temp'
import { exportedRun, sampleEntry } from '../helpers/run-fixture'

const temps = tempFolders()
let runId: string

beforeAll(() => {
  const store = openLabStore({ dataDir: TEST_DATA_DIR })
  try {
    runId = store.runs.createRun({
      kind: 'distill',
      config: {},
      appVersion: '0.0.0',
      status: 'finished',
      notes: 'cli export',
    }).id
  } finally {
    store.close()
  }
})

function integrity(dataDir = TEST_DATA_DIR): string {
  const db = new BetterSqlite3(join(dataDir, 'lab.sqlite'), { readonly: true, fileMustExist: true })
  try {
    return db.pragma('integrity_check', { simple: true }) as string
  } finally {
    db.close()
  }
}

describe('clab exports', () => {
  it("#15.1 clab teachers export and clab runs export refuse to write over the data folder's lab.sqlite", async () => {
    const database = join(TEST_DATA_DIR, 'lab.sqlite')
    for (const target of [database, join(TEST_DATA_DIR, 'LAB.sqlite-wal'), join(TEST_DATA_DIR, 'runs', 'x.ckpt')]) {
      const teacher = await clab(['teachers', 'export', 'builtin-moons', target])
      expect(teacher.code, teacher.stderr).toBe(2)
      expect(teacher.stderr).toContain(target)
      expect(teacher.stderr).toMatch(/belongs to the run history/)
    }
    for (const out of [
      TEST_DATA_DIR,
      join(TEST_DATA_DIR, 'datasets', 'x'),
      join(TEST_DATA_DIR, 'Runs', 'x'),
      join(TEST_DATA_DIR, 'elsewhere'),
    ]) {
      const run = await clab(['runs', 'export', runId, '--out', out])
      expect(run.code, run.stderr).toBe(2)
      expect(run.stderr).toMatch(/--out: .*(belongs to the run history|data folder)/)
    }
    expect(readFileSync(database).subarray(0, 15).toString('latin1')).toBe('SQLite format 3')
    expect(integrity()).toBe('ok')
    for (const path of ['datasets/x', 'Runs', 'elsewhere', 'runs/x.ckpt'])
      expect(existsSync(join(TEST_DATA_DIR, path)), path).toBe(false)
  })

  it('#15.1 the CLI still exports anywhere else the user names, and below exports/, never over an existing file', async () => {
    const dir = temps.fresh('export')
    const ok = await clab(['teachers', 'export', 'builtin-moons', join(dir, 'moons.ckpt')])
    expect(ok.code, ok.stderr).toBe(0)
    expect(readFileSync(join(dir, 'moons.ckpt')).subarray(0, 8).toString('ascii')).toBe('CLABCKPT')
    const again = await clab(['teachers', 'export', 'builtin-rings', join(dir, 'moons.ckpt')])
    expect(again.code).toBe(2)
    expect(again.stderr).toMatch(/moons\.ckpt: already exists/)
    const inside = await clab(['runs', 'export', runId, '--out', join(TEST_DATA_DIR, 'exports', 'run')])
    expect(inside.code, inside.stderr).toBe(0)
    expect(JSON.parse(readFileSync(join(TEST_DATA_DIR, 'exports', 'run', 'run.json'), 'utf8'))).toMatchObject({
      id: runId,
      notes: 'cli export',
    })
    mkdirSync(join(dir, 'run'))
    writeFileSync(join(dir, 'run', 'run.json'), 'mine')
    const onto = await clab(['runs', 'export', runId, '--out', join(dir, 'run')])
    expect(onto.code).toBe(2)
    expect(onto.stderr).toMatch(/run\.json: already exists/)
    expect(readFileSync(join(dir, 'run', 'run.json'), 'utf8')).toBe('mine')
  })
})

/** Every file below `dir` with its bytes (links by what they point at), to show a folder was left alone. */
function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {}
  if (!existsSync(dir)) return files
  for (const entry of (readdirSync(dir, { recursive: true }) as string[]).sort()) {
    const path = join(dir, entry)
    const stat = lstatSync(path)
    if (stat.isSymbolicLink()) files[entry] = `link`
    else if (stat.isFile()) files[entry] = readFileSync(path).toString('base64')
  }
  return files
}

async function runIds(dataDir = TEST_DATA_DIR): Promise<string[]> {
  const listed = await clab(['runs', 'list', '--json', '--limit', '1000', '--data-dir', dataDir])
  expect(listed.code, listed.stderr).toBe(0)
  return (lastJsonLine(listed.stdout).runs as Array<{ id: string }>).map((r) => r.id).sort()
}

const tinyTeacher = [
  '--dataset',
  'rings',
  '--steps',
  '5',
  '--width',
  '8',
  '--depth',
  '1',
  '--batch',
  '16',
  '--eval-samples',
  '64',
  '--backend',
  'cpu',
]
const tinyDistill = [
  '--dataset',
  'moons',
  '--steps',
  '5',
  '--batch',
  '16',
  '--eval-samples',
  '64',
  '--sample-every',
  '0',
  '--backend',
  'cpu',
]

describe('clab teacher --out, clab distill --export, clab runs resume --export', () => {
  it("#15.1 refuse a folder of the data folder's own files (another teacher, a run's samples, lab.sqlite), before any training", async () => {
    // A data folder of its own, so this test's outcome does not depend on the others'.
    const D = temps.fresh('cli-own')
    const env = { CLAB_DATA_DIR: D }
    const imported = await clab(['teachers', 'import', resolve('resources/teachers/moons.ckpt'), '--json'], { env })
    expect(imported.code, imported.stderr).toBe(0)
    const teacherId = (lastJsonLine(imported.stdout).teacher as { id: string }).id
    const store = openLabStore({ dataDir: D })
    let runId: string
    let resumable: string
    try {
      runId = store.runs.createRun({ kind: 'distill', config: {}, appVersion: '0.0.0', status: 'finished' }).id
      const config = parseDistillConfig({
        dataset: 'moons',
        teacher: 'builtin',
        steps: 5,
        batch: 16,
        evalSamples: 64,
        sampleEvery: 0,
        backend: 'cpu',
      })
      resumable = store.runs.createRun({ kind: 'distill', config, appVersion: '0.0.0', status: 'cancelled' }).id
    } finally {
      store.close()
    }
    const samples = join(D, 'runs', runId, 'samples')
    mkdirSync(samples, { recursive: true })
    for (const name of ['config.json', 'metrics.json', 'data.csv', 'student-nfe1.csv'])
      writeFileSync(join(samples, name), `${name} of ${runId}`)
    const before = { teachers: snapshot(join(D, 'teachers')), runs: snapshot(join(D, 'runs')), ids: await runIds(D) }
    const database = readFileSync(join(D, 'lab.sqlite'))

    const cases: Array<[string[], string, string]> = [
      [['teacher', ...tinyTeacher], '--out', join(D, 'teachers', teacherId)],
      [['teacher', ...tinyTeacher], '--out', join(D, 'TEACHERS', 'new')],
      [['distill', ...tinyDistill], '--export', samples],
      [['distill', ...tinyDistill], '--export', D],
      [['runs', 'resume', resumable], '--export', join(D, 'runs', runId, 'samples')],
      [['runs', 'resume', resumable], '--export', join(D, 'lab.sqlite')],
    ]
    for (const [args, flag, target] of cases) {
      const result = await clab([...args, flag, target], { env })
      expect(result.code, `${args.join(' ')} ${flag} ${target}: ${result.stderr}`).toBe(2)
      expect(result.stderr).toContain(`clab: ${flag}: ${target}: `)
      expect(result.stderr).toMatch(/belongs to the run history|is the data folder itself/)
    }
    // Nothing trained, nothing written: the teacher's weights, the run's samples and the history as they were.
    expect(snapshot(join(D, 'teachers'))).toEqual(before.teachers)
    expect(snapshot(join(D, 'runs'))).toEqual(before.runs)
    expect(await runIds(D)).toEqual(before.ids)
    expect(existsSync(join(D, 'TEACHERS'))).toBe(false)
    expect(readFileSync(join(D, 'lab.sqlite')).subarray(0, 16)).toEqual(database.subarray(0, 16))
    expect(integrity(D)).toBe('ok')
  })

  it('#15.1 outside the data folder a re-run refreshes its export, replacing a planted link instead of writing through it; exports/ takes exports', async () => {
    const D = temps.fresh('cli-own')
    const env = { CLAB_DATA_DIR: D }
    openLabStore({ dataDir: D }).close()
    const out = join(temps.fresh('teacher-out'), 'teacher')
    mkdirSync(out)
    writeFileSync(join(out, 'teacher.json'), 'from an earlier run')
    // A link where the checkpoint goes, pointing at the history: the export must replace it, not follow it.
    symlinkSync(join(D, 'lab.sqlite'), join(out, 'teacher.ckpt'))
    const database = readFileSync(join(D, 'lab.sqlite')).subarray(0, 16)
    const teacher = await clab(['teacher', ...tinyTeacher, '--out', out, '--json'], { env })
    expect(teacher.code, teacher.stderr).toBe(0)
    expect(lstatSync(join(out, 'teacher.ckpt')).isFile()).toBe(true)
    expect(readFileSync(join(out, 'teacher.ckpt')).subarray(0, 8).toString('ascii')).toBe('CLABCKPT')
    expect(JSON.parse(readFileSync(join(out, 'teacher.json'), 'utf8'))).toMatchObject({ steps: 5 })
    expect(readdirSync(out).sort()).toEqual(['teacher.ckpt', 'teacher.json'])
    expect(readFileSync(join(D, 'lab.sqlite')).subarray(0, 16)).toEqual(database)
    expect(integrity(D)).toBe('ok')

    const exported = join(D, 'exports', 'distill')
    const distill = await clab(
      [
        'distill',
        '--teacher',
        join(out, 'teacher.ckpt'),
        ...tinyDistill.slice(2),
        '--dataset',
        'rings',
        '--export',
        exported,
        '--json',
      ],
      { env },
    )
    expect(distill.code, distill.stderr).toBe(0)
    expect(JSON.parse(readFileSync(join(exported, 'config.json'), 'utf8'))).toMatchObject({
      dataset: 'rings',
      steps: 5,
    })
    // Again into the same folder: the user's own export is refreshed, not refused.
    writeFileSync(join(exported, 'metrics.json'), 'stale')
    const again = await clab(
      [
        'distill',
        '--teacher',
        join(out, 'teacher.ckpt'),
        ...tinyDistill.slice(2),
        '--dataset',
        'rings',
        '--export',
        exported,
      ],
      { env },
    )
    expect(again.code, again.stderr).toBe(0)
    expect(JSON.parse(readFileSync(join(exported, 'metrics.json'), 'utf8'))).toMatchObject({ step: 5 })
  })
})

describe('clab runs import', () => {
  it('#15.2 a run.json whose sample path is ../../../x exits non-zero naming run.json and the path, writes nothing outside, adds no run', async () => {
    const outer = temps.fresh('import-escape')
    const dataDir = join(outer, 'data')
    mkdirSync(dataDir)
    // From the folder, ../../../escaped.txt is the bait in outer/src; from <data>/runs/<id>/ it is outer/escaped.txt.
    const folder = join(outer, 'src', 'a', 'b', 'evil')
    mkdirSync(join(folder, 'samples'), { recursive: true })
    writeFileSync(join(outer, 'src', 'escaped.txt'), 'bait')
    const run = exportedRun('20260101-000000-escape', {
      notes: 'escape',
      tags: [],
      samples: [sampleEntry('../../../escaped.txt')],
    })
    writeFileSync(join(folder, 'run.json'), JSON.stringify(run))
    writeFileSync(join(folder, 'metrics.csv'), 'key,step,value,wall_ms\nloss,1,0.5,1767225600000\n')
    writeFileSync(join(folder, 'evaluations.json'), '[]')
    writeFileSync(join(folder, 'samples', 'student-nfe1.csv'), 'x,y\n0,0\n')
    const before = await runIds(dataDir)
    const outside = snapshot(outer)
    const result = await clab(['runs', 'import', folder, '--data-dir', dataDir])
    expect(result.code, result.stderr).not.toBe(0)
    expect(result.stderr).toContain(folder)
    expect(result.stderr).toMatch(/run\.json: samples\.0\.path/)
    expect(result.stderr).toContain('../../../escaped.txt')
    expect(existsSync(join(outer, 'escaped.txt'))).toBe(false)
    const now = snapshot(outer)
    for (const [path, bytes] of Object.entries(now))
      if (!path.startsWith('data/')) expect(bytes, path).toBe(outside[path])
    expect(Object.keys(now).filter((p) => !p.startsWith('data/'))).toEqual(
      Object.keys(outside).filter((p) => !p.startsWith('data/')),
    )
    expect(await runIds(dataDir)).toEqual(before)
    expect(
      existsSync(join(dataDir, 'runs')) ? readdirSync(join(dataDir, 'runs')).filter((e) => !e.startsWith('.')) : [],
    ).toEqual([])
  })
})
