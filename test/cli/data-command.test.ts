/** `clab data import|list` through the real entry point: JSON output, stored once, exit codes 2 and 1. */
import { existsSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openLabStore } from '../../src-main/store'
import { clab, lastJsonLine } from '../helpers/cli'
import { tempFolders } from '../helpers/temp'
import { idxBytes, imagesData, writeIdxPair } from '../data/helpers'

const folders = tempFolders()
const fresh = folders.fresh

async function listed(dataDir: string): Promise<unknown[]> {
  const result = await clab(['data', 'list', '--data-dir', dataDir, '--json'])
  expect(result.code, result.stderr).toBe(0)
  return lastJsonLine(result.stdout).datasets as unknown[]
}

/** The history read directly (a process start costs ~1.5 s on the shared cores). */
function stored(dataDir: string): string[] {
  const store = openLabStore({ dataDir })
  try {
    return store.datasets.listDatasets().map((d) => d.id)
  } finally {
    store.close()
  }
}

describe('clab data', () => {
  it('imports an IDX pair (--json), lists it, and a second import reports the stored one', async () => {
    const dataDir = fresh('data-history')
    const pair = writeIdxPair(fresh('data-files'), 'train', { count: 3 })
    const result = await clab([
      'data',
      'import',
      pair.images,
      pair.labels,
      '--name',
      'digits',
      '--data-dir',
      dataDir,
      '--json',
    ])
    expect(result.code, result.stderr).toBe(0)
    const summary = lastJsonLine(result.stdout) as {
      command: string
      datasets: { id: string; name: string; kind: string; count: number; created: boolean }[]
    }
    expect(summary.command).toBe('data import')
    expect(summary.datasets).toHaveLength(1)
    expect(summary.datasets[0]).toMatchObject({
      name: 'digits',
      kind: 'mnist',
      count: 3,
      height: 28,
      width: 28,
      channels: 1,
      created: true,
    })
    const id = summary.datasets[0]?.id

    expect(await listed(dataDir)).toMatchObject([{ id, name: 'digits', count: 3 }])
    const again = await clab(['data', 'import', pair.images, pair.labels, '--data-dir', dataDir])
    expect(again.code, again.stderr).toBe(0)
    expect(again.stdout).toContain(`dataset ${id} (digits: mnist, 3 images of 28×28×1) already in the history`)
    expect(stored(dataDir)).toEqual([id])
  })

  it.each([
    [
      'a truncated file',
      (dir: string) => {
        const pair = writeIdxPair(dir, 'x', { gzip: false })
        writeFileSync(pair.images, idxBytes([3, 28, 28], imagesData(2, 28, 28)))
        return {
          args: [pair.images, pair.labels],
          message: new RegExp(`^clab: ${pair.images}: truncated: the header promises 3×28×28`),
        }
      },
    ],
    [
      'a missing file',
      (dir: string) => ({
        args: [join(dir, 'nope.gz')],
        message: new RegExp(`^clab: ${join(dir, 'nope.gz')}: cannot be read \\(ENOENT\\)`),
      }),
    ],
    [
      'an unknown --kind',
      (dir: string) => {
        const pair = writeIdxPair(dir, 'x')
        return {
          args: [pair.images, pair.labels, '--kind', 'svhn'],
          message: /^clab: --kind: unknown dataset kind "svhn"/,
          untouched: true,
        }
      },
    ],
  ])('%s exits 2, names it, and imports nothing', { concurrent: true }, async (_, make) => {
    const dataDir = fresh('data-history')
    const { args, message, untouched } = make(fresh('data-files')) as {
      args: string[]
      message: RegExp
      untouched?: boolean
    }
    const result = await clab(['data', 'import', ...args, '--data-dir', dataDir])
    expect(result.stderr).toMatch(message)
    expect(result.code).toBe(2)
    expect(existsSync(join(dataDir, 'lab.sqlite')) ? stored(dataDir) : []).toEqual([])
    // A bad flag is refused before the history is opened.
    if (untouched) expect(readdirSync(dataDir)).toEqual([])
  })

  it('a failed import (the datasets folder cannot be made) exits 1 and records nothing', async () => {
    const dataDir = fresh('data-history')
    writeFileSync(join(dataDir, 'datasets'), 'in the way')
    const pair = writeIdxPair(fresh('data-files'), 'x')
    const result = await clab(['data', 'import', pair.images, pair.labels, '--data-dir', dataDir])
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/^clab: .*datasets/)
    expect(stored(dataDir)).toEqual([])
  })
})
