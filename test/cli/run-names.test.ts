/**
 * #19 items 7 and 18 through the real `clab`: run names (listed, shown, renamed), short ids resolved as git
 * does, `runs show` as an aligned table with the duration, `runs export` counting the files it wrote,
 * `teachers list` under a header, and `distill --export` writing the PNGs beside the CSVs.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { parseDistillConfig } from '@shared/config/validate'
import { openLabStore } from '../../src-main/store'
import { clab, lastJsonLine } from '../helpers/cli'
import { tempFolders } from '../helpers/temp'

const folders = tempFolders()
const dataDir = folders.fresh('names')
const env = { CLAB_DATA_DIR: dataDir }
const A = '20261204-180000-7xr1y7dx'
const B = '20261204-180000-7xq0aaaa'
const C = '20261205-090000-m4n5p6q7'

beforeAll(() => {
  // A history written by the store itself: the CLI reads what any process wrote.
  const store = openLabStore({ dataDir })
  try {
    const make = (id: string, partial: Record<string, unknown>, now: number) =>
      store.runs.createRun({
        id,
        kind: 'distill',
        config: parseDistillConfig({ dataset: 'moons', ...partial }),
        appVersion: 'test',
        status: 'running',
        now,
      })
    make(A, { solver: 'ddim', seed: 3 }, Date.UTC(2026, 11, 4, 18))
    make(B, { lr: 5e-4 }, Date.UTC(2026, 11, 4, 18, 0, 1))
    make(C, { algorithm: 'ict' }, Date.UTC(2026, 11, 5, 9))
    store.runs.updateStatus(A, 'finished', { now: Date.UTC(2026, 11, 4, 18) + 185_000 })
    const points = new Float32Array([0, 0, 1, 1, -1, 0.5])
    for (const model of ['student', 'data'])
      store.samples.addSample(A, {
        step: 10,
        nfe: 1,
        kind: 'points2d',
        model,
        role: 'preview',
        noiseSeed: 1,
        data: new Uint8Array(points.buffer),
      })
  } finally {
    store.close()
  }
})

/** Every regular file under `dir`, as paths relative to it. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((rel) => statSync(join(dir, rel)).isFile())
}

describe('#19 run names and short ids in the CLI', () => {
  it('#19 runs list shows each name in a column of its own; --json carries it', async () => {
    const text = await clab(['runs', 'list'], { env })
    expect(text.code, text.stderr).toBe(0)
    const [header, ...rows] = text.stdout.trim().split('\n')
    expect(header).toMatch(/^id\s+name\s+kind\s+status/)
    const rowOf = (id: string) => rows.find((r) => r.startsWith(id)) ?? ''
    expect(rowOf(A)).toContain('cd N6 mu0 lr7e-3 ddim seed3')
    expect(rowOf(B)).toContain('cd N6 mu0 lr5e-4')
    expect(rowOf(C)).toContain('ict N18 mu0 lr1e-3')
    // The name column starts where its header does, in every row.
    const at = (header as string).indexOf('name')
    expect(rowOf(A).indexOf('cd N6')).toBe(at)
    const json = lastJsonLine((await clab(['runs', 'list', '--json'], { env })).stdout) as {
      runs: { id: string; name: string }[]
    }
    expect(json.runs.find((r) => r.id === C)?.name).toBe('ict N18 mu0 lr1e-3')
  })

  it('#19 a unique prefix or tail names the run; an ambiguous one fails with code 2 naming the candidates', async () => {
    const byTail = await clab(['runs', 'show', '7xr1y7dx', '--json'], { env })
    expect(byTail.code, byTail.stderr).toBe(0)
    expect((lastJsonLine(byTail.stdout).run as { id: string }).id).toBe(A)
    const byPrefix = await clab(['runs', 'show', '20261205', '--json'], { env })
    expect((lastJsonLine(byPrefix.stdout).run as { id: string }).id).toBe(C)
    const ambiguous = await clab(['runs', 'show', '20261204-18'], { env })
    expect(ambiguous.code).toBe(2)
    expect(ambiguous.stderr).toContain('ambiguous')
    expect(ambiguous.stderr).toContain(A)
    expect(ambiguous.stderr).toContain(B)
    const unknown = await clab(['runs', 'show', 'zzzz'], { env })
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('"zzzz" does not exist')
    // rm resolves every id before deleting any: an ambiguous one removes nothing.
    expect((await clab(['runs', 'rm', C, '7x'], { env })).code).toBe(2)
    expect((await clab(['runs', 'show', C], { env })).code).toBe(0)
  })

  it('#19 runs rename by a short id; "" restores the derived name; a bad name is refused naming it', async () => {
    const renamed = await clab(['runs', 'rename', 'm4n5', 'curriculum try', '--json'], { env })
    expect(renamed.code, renamed.stderr).toBe(0)
    expect(lastJsonLine(renamed.stdout)).toMatchObject({ id: C, name: 'curriculum try' })
    expect((await clab(['runs', 'list'], { env })).stdout).toContain('curriculum try')
    const back = await clab(['runs', 'rename', C, ''], { env })
    expect(back.stdout).toContain('"ict N18 mu0 lr1e-3"')
    const long = await clab(['runs', 'rename', C, 'x'.repeat(81)], { env })
    expect(long.code).toBe(2)
    expect(long.stderr).toContain('name must be at most 80 characters (got 81')
  })

  it('#19 runs show prints the name, times with the duration and the config as an aligned table', async () => {
    const shown = await clab(['runs', 'show', '7xr1'], { env })
    expect(shown.code, shown.stderr).toBe(0)
    const lines = shown.stdout.split('\n')
    expect(lines[0]).toBe(`run ${A} "cd N6 mu0 lr7e-3 ddim seed3" (distill) finished`)
    expect(shown.stdout).toMatch(/created 2026-12-04 \d\d:00:00, started .*; duration 3m 05s/)
    const config = lines.slice(lines.findIndex((l) => l.startsWith('config as trained')) + 1)
    const rows = config.filter((l) => l.startsWith('  '))
    expect(rows.length).toBeGreaterThanOrEqual(20)
    const row = (key: string) => rows.find((l) => l.trim().split(/\s+/)[0] === key) ?? ''
    expect(row('solver')).toMatch(/^ {2}solver\s+ddim\s+Teacher ODE solver$/)
    expect(row('numScales')).toMatch(/^ {2}numScales\s+6\s+N \(discretisation levels\)$/)
    // Aligned: every value starts in the same column.
    const valueAt = (l: string) => l.search(/\S+\s*$|(?<=^ {2}\S+\s+)\S/)
    expect(new Set(rows.map(valueAt)).size).toBe(1)
  })

  it('#19 runs export reports as many files as it wrote', async () => {
    const out = join(folders.fresh('names-export'), 'run')
    const exported = await clab(['runs', 'export', '7xr1', '--out', out], { env })
    expect(exported.code, exported.stderr).toBe(0)
    const written = filesUnder(out)
    expect(written).toContain('run.json')
    expect(written.some((f) => f.endsWith('.png'))).toBe(true)
    expect(exported.stdout).toContain(`(${written.length} files)`)
    expect(JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')).name).toBe('cd N6 mu0 lr7e-3 ddim seed3')
  })

  it('#19 teachers list has a header over aligned columns', async () => {
    const listed = await clab(['teachers', 'list'], { env })
    expect(listed.code, listed.stderr).toBe(0)
    const [header, ...rows] = listed.stdout.trim().split('\n')
    expect(header).toMatch(/^id\s+dataset\s+name\s+file\b/)
    const fileAt = (header as string).indexOf('file')
    for (const row of rows.filter((r) => r.startsWith('builtin-'))) expect(row.slice(fileAt)).toMatch(/^\S+\.ckpt\b/)
    expect(rows.some((r) => r.startsWith('builtin-moons'))).toBe(true)
  })
})

describe('#19 clab sweep names its runs', () => {
  it('#19 the results table has a name column saying each grid point', async () => {
    const result = await clab(
      ['sweep', '--dataset', 'moons', '--steps', '4', '--eval-samples', '64', '--backend', 'wasm', '--N', '6,8'],
      { env },
    )
    expect(result.code, result.stderr).toBe(0)
    const [header, ...rows] = result.stdout.trim().split('\n')
    expect(header).toMatch(/^run\s+name\s+status\s+--N\s+swd@1$/)
    expect(rows.map((r) => r.split(/\s{2,}/)[1]).sort()).toEqual(['cd N6 mu0 lr7e-3 steps4', 'cd N8 mu0 lr7e-3 steps4'])
  }, 240_000)
})

describe('#19 clab distill --export', () => {
  it('#19 writes the PNG pictures beside the CSVs, as runs export does', async () => {
    const out = folders.fresh('names-distill')
    const result = await clab(
      ['distill', '--dataset', 'moons', '--steps', '10', '--eval-samples', '300', '--backend', 'wasm', '--export', out],
      { env },
    )
    expect(result.code, result.stderr).toBe(0)
    const files = readdirSync(out)
    for (const csv of files.filter((f) => f.endsWith('.csv') && f !== 'metrics.csv'))
      expect(files, csv).toContain(csv.replace(/\.csv$/, '.png'))
    expect(files).toContain('data-teacher-student.png')
    expect(readFileSync(join(out, 'student-nfe1.png')).subarray(1, 4).toString('ascii')).toBe('PNG')
    expect(existsSync(join(out, 'config.json'))).toBe(true)
    // The closing lines name the run as well as its id.
    expect(result.stdout).toMatch(/^run \S+ "cd N6 mu0 lr7e-3 steps10" recorded in /m)
  }, 240_000)
})
