/** #19.2 A run's verdict leaves with it (run.json) and comes back on import; older folders read as before. */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DISTILL_DEFAULTS } from '@shared/config/defaults'
import { exportRunFolder } from '../../src-main/services/run-export'
import { importRunFolder } from '../../src-main/services/run-transfer'
import { openLabStore, type LabStore } from '../../src-main/store'
import { tempDir } from '../trainer-host/helpers'

let root: { dir: string; remove: () => void }
let from: LabStore
let to: LabStore

beforeAll(() => {
  root = tempDir('verdict-transfer')
  from = openLabStore({ dataDir: join(root.dir, 'from') })
  to = openLabStore({ dataDir: join(root.dir, 'to') })
})

afterAll(() => {
  from?.close()
  to?.close()
  root?.remove()
})

const reason = "the one-step sliced W 790 is 269x the teacher's one-step 2.94 (more than 10x)"

async function exported(name: string, verdict: boolean): Promise<string> {
  const config = { ...DISTILL_DEFAULTS, dataset: 'moons' }
  const run = from.runs.createRun({ kind: 'distill', config, appVersion: '0.0.0', status: 'finished' })
  if (verdict) from.runs.setVerdict(run.id, { verdict: 'diverged', reason })
  const out = join(root.dir, name)
  await exportRunFolder(from, run.id, out)
  return out
}

describe('#19 verdicts in exported run folders', () => {
  it('#19 a diverged run keeps its verdict and reason through export and import', async () => {
    const out = await exported('diverged', true)
    expect(JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'))).toMatchObject({
      verdict: 'diverged',
      verdictReason: reason,
    })
    const imported = await importRunFolder(to, out)
    expect(to.runs.getRun(imported.id)).toMatchObject({
      status: 'finished',
      verdict: 'diverged',
      verdictReason: reason,
    })
  })

  it('#19 a folder from before verdicts imports without one; a bad verdict is refused naming the field', async () => {
    const out = await exported('older', false)
    const file = join(out, 'run.json')
    const json = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>
    delete json.verdict
    delete json.verdictReason
    writeFileSync(file, JSON.stringify(json))
    const imported = await importRunFolder(to, out)
    expect(to.runs.getRun(imported.id).verdict).toBeNull()
    writeFileSync(file, JSON.stringify({ ...json, verdict: 'exploded' }))
    await expect(importRunFolder(to, out)).rejects.toThrow(/verdict.*must be one of diverged or null/)
  })
})
