/** #19.7 Run names and short ids in the history: stored, derived for old runs, renamed, resolved like git's. */
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseDistillConfig } from '@shared/config/validate'
import { openDatabase } from '../../src-main/store/database'
import { AmbiguousRunIdError, RunNotFoundError, StoreInputError } from '../../src-main/store'
import { newRun, tempDir, tempStore } from './helpers'

const config = (partial: Record<string, unknown>) => parseDistillConfig({ dataset: 'moons', ...partial })

describe('#19 run names', () => {
  it('#19 a new run is named from what differs from the defaults; the name reads back in getRun and listRuns', () => {
    const store = tempStore()
    const plain = newRun(store, { config: config({}) })
    const ddim = newRun(store, { config: config({ solver: 'ddim', seed: 3, lr: 5e-4 }) })
    expect(plain.name).toBe('cd N6 mu0 lr7e-3')
    expect(ddim.name).toBe('cd N6 mu0 lr5e-4 ddim seed3')
    const listed = new Map(store.runs.listRuns().map((r) => [r.id, r.name]))
    expect(listed.get(ddim.id)).toBe('cd N6 mu0 lr5e-4 ddim seed3')
    expect(store.runs.listRuns({ withConfig: true }).find((r) => r.id === ddim.id)).toMatchObject({
      name: 'cd N6 mu0 lr5e-4 ddim seed3',
      config: { solver: 'ddim' },
    })
  })

  it('#19 rename stores the name, an empty one goes back to the derived name, bad names are refused by name', () => {
    const store = tempStore()
    const run = newRun(store, { config: config({ numScales: 12 }) })
    expect(store.runs.rename(run.id, '  wide grid  ')).toBe('wide grid')
    expect(store.runs.getRun(run.id).name).toBe('wide grid')
    expect(store.runs.listRuns({ text: 'WIDE' }).map((r) => r.id)).toEqual([run.id])
    expect(store.runs.rename(run.id, '')).toBe('cd N12 mu0 lr7e-3')
    expect(store.runs.getRun(run.id).name).toBe('cd N12 mu0 lr7e-3')
    expect(() => store.runs.rename(run.id, 'x'.repeat(81))).toThrow(StoreInputError)
    expect(() => store.runs.rename(run.id, 'x'.repeat(81))).toThrow(/at most 80 characters/)
    expect(() => store.runs.rename(run.id, 'a\nb')).toThrow(/control characters/)
    expect(() => store.runs.rename('no-such-run', 'x')).toThrow(RunNotFoundError)
  })

  it('#19 a run stored before names existed (NULL) gets the derived name on read, in getRun and listRuns', () => {
    const dataDir = tempDir()
    const store = tempStore(dataDir)
    const run = newRun(store, { config: config({ algorithm: 'ict' }) })
    store.close()
    const db = openDatabase(join(dataDir, 'lab.sqlite'))
    db.prepare('UPDATE runs SET name = NULL').run()
    db.close()
    const again = tempStore(dataDir)
    // iCT trains with mu 0 whatever was asked: the name says what ran.
    expect(again.runs.getRun(run.id).name).toBe('ict N18 mu0 lr1e-3')
    expect(again.runs.listRuns()[0]).toMatchObject({ id: run.id, name: 'ict N18 mu0 lr1e-3' })
    expect(again.runs.listRuns()[0]?.config).toBeUndefined()
  })

  it('#19 short ids resolve as in git: a unique prefix or tail, an ambiguous one names the candidates', () => {
    const store = tempStore()
    const a = newRun(store, { id: '20261204-180000-7xr1y7dx' })
    const b = newRun(store, { id: '20261204-180000-7xq00000' })
    const c = newRun(store, { id: '20261205-090000-abcdefgh' })
    expect(store.runs.resolveId(a.id)).toBe(a.id)
    expect(store.runs.resolveId('7xr1y7dx')).toBe(a.id)
    expect(store.runs.resolveId('7XR1')).toBe(a.id)
    expect(store.runs.resolveId('20261205')).toBe(c.id)
    expect(store.runs.resolveId('abc')).toBe(c.id)
    const ambiguous = (() => {
      try {
        store.runs.resolveId('20261204')
      } catch (error) {
        return error
      }
    })()
    expect(ambiguous).toBeInstanceOf(AmbiguousRunIdError)
    expect((ambiguous as AmbiguousRunIdError).candidates.sort()).toEqual([a.id, b.id].sort())
    expect((ambiguous as Error).message).toContain(`matches ${b.id}, ${a.id}`)
    expect(() => store.runs.resolveId('7x')).toThrow(/ambiguous/)
    expect(() => store.runs.resolveId('zzzz')).toThrow(RunNotFoundError)
    // LIKE's wildcards are literal in a typed prefix.
    expect(() => store.runs.resolveId('2026%')).toThrow(RunNotFoundError)
    expect(() => store.runs.resolveId('_')).toThrow(RunNotFoundError)
  })
})
