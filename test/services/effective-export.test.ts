/**
 * #16: a stored iCT run that asked mu 0.95 and uniform weighting trained with mu 0 and inverse-gap. Its
 * exported run.json carries the asked config and, beside it, the effective one; `clab runs show` prints the
 * effective values with the asked ones beside them. Real SQLite history, real files.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DISTILL_DEFAULTS } from '@shared/config/defaults'
import { configTable } from '../../src-main/cli/run-show-text'
import { exportRunFolder } from '../../src-main/services/run-export'
import { openLabStore, type LabStore } from '../../src-main/store'
import { tempDir } from '../trainer-host/helpers'

let root: { dir: string; remove: () => void }
let store: LabStore

beforeAll(() => {
  root = tempDir('effective-export')
  store = openLabStore({ dataDir: join(root.dir, 'data') })
})

afterAll(() => {
  store?.close()
  root?.remove()
})

const asked = { ...DISTILL_DEFAULTS, dataset: 'moons', algorithm: 'ict', targetEma: 0.95, weighting: 'uniform' }

describe('#16 the effective config leaves with the run', () => {
  it('#16 run.json of an exported iCT run has the asked config and the effective one (mu 0, inverse-gap)', async () => {
    const run = store.runs.createRun({ kind: 'distill', config: asked, appVersion: '0.0.0', status: 'finished' })
    const out = join(root.dir, 'exported')
    const written = await exportRunFolder(store, run.id, out)
    expect(written).toContain(join(out, 'run.json'))
    const file = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as {
      config: Record<string, unknown>
      effectiveConfig: Record<string, unknown>
    }
    expect(file.config).toMatchObject({ targetEma: 0.95, weighting: 'uniform' })
    // The 2D preset's top share target (sigma-min) and its replay need a teacher: iCT trains next-level, no replay.
    expect(file.config).toMatchObject({ topPairTarget: 'sigma-min', topPairReplay: 8 })
    expect(file.effectiveConfig).toEqual({
      ...file.config,
      targetEma: 0,
      weighting: 'inverse-gap',
      topPairTarget: 'next-level',
      topPairReplay: 0,
    })
  })

  it('#16 runs show prints the values the run trained with, the asked ones in brackets', () => {
    const run = store.runs.createRun({ kind: 'distill', config: asked, appVersion: '0.0.0', status: 'finished' })
    const text = configTable(store.runs.getRun(run.id))
    expect(text).toMatch(/^ {2}targetEma +0 \(asked 0\.95\) /m)
    expect(text).toMatch(/^ {2}weighting +inverse-gap \(asked uniform\) /m)
    expect(text).toMatch(new RegExp(`^ {2}numScales +${asked.numScales} `, 'm'))
    const cd = store.runs.createRun({
      kind: 'distill',
      config: { ...asked, algorithm: 'cd' },
      appVersion: '0.0.0',
      status: 'finished',
    })
    const cdText = configTable(store.runs.getRun(cd.id))
    expect(cdText).toMatch(/^ {2}targetEma +0\.95 /m)
    expect(cdText).not.toContain('asked')
  })
})
