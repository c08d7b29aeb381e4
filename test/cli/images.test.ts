/**
 * Image datasets through the real `clab` entry point: import a small IDX set (8x8), train a U-Net teacher
 * on it by name, distill from that teacher with --export, and find PNG sample grids (data, teacher K=100,
 * student NFE 1 and 2, and the teacher | 1-step | 2-step | |difference| comparison) decoded at the sizes
 * the grids promise, plus live preview grids recorded in the history. Refusals name the flag.
 */
import { existsSync, readFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import { PNG } from 'pngjs'
import { describe, expect, it } from 'vitest'
import { openLabStore, runPaths } from '../../src-main/store'
import { clab, lastJsonLine } from '../helpers/cli'
import { tempFolders } from '../helpers/temp'
import { writeIdxPair } from '../data/helpers'

const folders = tempFolders()
const fresh = folders.fresh

const TINY_UNET = [
  '--unet-channels',
  '8',
  '--unet-groups',
  '4',
  '--time-embedding',
  '8',
  '--T',
  '100',
  '--beta-end',
  '0.2',
]

const cores = Math.min(8, availableParallelism())
const WASM_UNET_LABEL = cores > 1 ? `wasm (${cores} threads)` : 'wasm'

function pngSize(path: string): [number, number] {
  const png = PNG.sync.read(readFileSync(path))
  return [png.width, png.height]
}

describe('clab with an image dataset', () => {
  const dataDir = fresh('images-history')
  const env = { CLAB_DATA_DIR: dataDir }

  it('imports, trains a U-Net teacher by dataset name, distills and exports PNG grids', async () => {
    const pair = writeIdxPair(fresh('images-files'), 'train', { count: 40, h: 8, w: 8, gzip: false })
    const imported = await clab(['data', 'import', pair.images, pair.labels, '--name', 'tiny', '--json'], { env })
    expect(imported.code, imported.stderr).toBe(0)
    const id = (lastJsonLine(imported.stdout).datasets as Array<{ id: string }>)[0]?.id as string

    const teacher = await clab(
      [
        'teacher',
        '--dataset',
        'tiny',
        '--steps',
        '3',
        '--batch',
        '4',
        '--eval-samples',
        '16',
        '--backend',
        'wasm',
        ...TINY_UNET,
        '--json',
      ],
      { env },
    )
    expect(teacher.code, teacher.stderr).toBe(0)
    const teacherSummary = lastJsonLine(teacher.stdout) as {
      dataset: string
      backend: string
      checkpoint: string
      teacherId: string
      metrics: Record<string, unknown>
    }
    expect(teacherSummary.dataset).toBe(`image:${id}`)
    // The U-Net trains on wasm with an XNNPACK thread per core (wasm-threads.ts), recorded with the run.
    expect(teacherSummary.backend).toBe(WASM_UNET_LABEL)
    expect(existsSync(teacherSummary.checkpoint)).toBe(true)
    const teacherMetrics = teacherSummary.metrics as unknown as Record<
      string,
      Record<string, { swd: number; fd?: number; precision?: number; offSupport?: number }>
    >
    // The dataset's classifier was trained for this first image run and cached beside the dataset.
    expect(Number.isFinite(teacherMetrics.teacher?.nfe100?.fd)).toBe(true)
    expect(Number.isFinite(teacherMetrics.data?.nfe0?.fd)).toBe(true)
    // #17: precision in the same classifier features; no 2D off-support share for images.
    expect(teacherMetrics.teacher?.nfe100?.precision).toBeGreaterThanOrEqual(0)
    expect(teacherMetrics.data?.nfe0?.precision).toBeGreaterThan(0.5)
    expect(teacherMetrics.teacher?.nfe100?.offSupport).toBeUndefined()
    const store0 = openLabStore({ dataDir })
    const datasetDir = join(dataDir, store0.datasets.getDataset(id).path)
    store0.close()
    const cached = JSON.parse(readFileSync(join(datasetDir, 'classifier.json'), 'utf8')) as {
      testAccuracy: number
      trainImages: number
      testImages: number
      spec: { featureDim: number }
    }
    expect(cached).toMatchObject({ trainImages: 36, testImages: 4, spec: { featureDim: 64 } })
    expect(cached.testAccuracy).toBeGreaterThanOrEqual(0)
    const cachedBytes = readFileSync(join(datasetDir, 'classifier.json'))
    const listed = await clab(['data', 'list', '--json'], { env })
    expect((lastJsonLine(listed.stdout).datasets as Array<{ classifier: unknown }>)[0]?.classifier).toMatchObject({
      testAccuracy: cached.testAccuracy,
      testImages: 4,
      trainImages: 36,
    })

    const out = fresh('images-export')
    const distill = await clab(
      [
        'distill',
        '--dataset',
        id,
        '--teacher',
        teacherSummary.teacherId,
        '--steps',
        '3',
        '--batch',
        '4',
        '--N',
        '6',
        '--warmup',
        '0',
        '--eval-samples',
        '16',
        '--sample-every',
        '2',
        '--multistep-sigmas',
        '0.8',
        '--backend',
        'wasm',
        '--export',
        out,
        '--json',
      ],
      { env },
    )
    expect(distill.code, distill.stderr).toBe(0)
    const summary = lastJsonLine(distill.stdout) as {
      runId: string
      backend: string
      exported: string[]
      metrics: Record<string, Record<string, Record<string, number>>>
    }
    expect(summary.backend).toBe(WASM_UNET_LABEL)
    const names = summary.exported.map((f) => f.split('/').pop())
    expect(names).toEqual(
      expect.arrayContaining([
        'config.json',
        'metrics.json',
        'data.png',
        'teacher-k100.png',
        'student-nfe1.png',
        'student-nfe2.png',
        'compare.png',
      ]),
    )
    // 16 images in rows of 8: 8 * 8 px + 9 gaps wide, 2 rows * 8 px + 3 gaps high.
    expect(pngSize(join(out, 'student-nfe1.png'))).toEqual([8 * 8 + 9, 2 * 8 + 3])
    // Comparison: 4 columns (teacher, 1-step, 2-step, difference) of 8 rows, pixels doubled, 2-px gaps.
    expect(pngSize(join(out, 'compare.png'))).toEqual([4 * 16 + 5 * 2, 8 * 16 + 9 * 2])
    expect(readFileSync(join(out, 'config.json'), 'utf8')).toContain(`"dataset": "image:${id}"`)
    // Fréchet distances at every NFE, from the cached classifier (not retrained: the file is unchanged).
    expect(Number.isFinite(summary.metrics.student?.nfe1?.fd)).toBe(true)
    expect(Number.isFinite(summary.metrics.student?.nfe2?.fd)).toBe(true)
    expect(summary.metrics.student?.nfe1?.precision).toBeGreaterThanOrEqual(0)
    expect(readFileSync(join(datasetDir, 'classifier.json')).equals(cachedBytes)).toBe(true)
    expect(distill.stderr).toMatch(/Fréchet/)

    // The history names the image set as it was imported, not by its id.
    const listedRuns = await clab(['runs', 'list'], { env })
    expect(listedRuns.stdout.split('\n').find((l) => l.startsWith(summary.runId))).toMatch(
      /\bdistill\s+finished\s+tiny\s/,
    )
    expect(listedRuns.stdout).not.toContain('image:')
    expect((await clab(['runs', 'show', summary.runId], { env })).stdout).toMatch(/^dataset tiny$/m)
    const teachersText = (await clab(['teachers', 'list'], { env })).stdout
    expect(teachersText).toMatch(new RegExp(`^${teacherSummary.teacherId}  tiny\\s+tiny-`, 'm'))
    expect(teachersText).not.toContain('image:')

    const store = openLabStore({ dataDir })
    try {
      const samples = store.samples.listSamples(summary.runId)
      const previews = samples.filter((s) => s.kind === 'png' && s.path?.startsWith('samples/previews/'))
      // Steps 2 and 3 (the last), student NFE 1 and 2; plus the data and teacher references at step 0.
      expect(
        previews
          .filter((s) => s.model === 'student')
          .map((s) => [s.step, s.nfe])
          .sort(),
      ).toEqual([
        [0, 1],
        [0, 2],
        [2, 1],
        [2, 2],
        [3, 1],
        [3, 2],
      ])
      expect(previews.map((s) => s.model)).toEqual(expect.arrayContaining(['data', 'teacher']))
      for (const s of previews)
        expect(pngSize(join(runPaths(dataDir, summary.runId).dir, s.path as string))).toEqual([8 * 8 + 9, 8 * 8 + 9])
      expect(store.metrics.lastMetrics(summary.runId)['swd/nfe1']).toBeDefined()
    } finally {
      store.close()
    }
  })

  it('refuses the built-in teacher, a 2D model on images and an unknown name, naming the flag', async () => {
    const noTeacher = await clab(['distill', '--dataset', 'tiny', '--steps', '2'], { env })
    expect(noTeacher.code).toBe(2)
    expect(noTeacher.stderr).toMatch(/--teacher.*no built-in teacher for the image dataset/)
    const mlp = await clab(['teacher', '--dataset', 'tiny', '--model', 'mlp'], { env })
    expect(mlp.code).toBe(2)
    expect(mlp.stderr).toMatch(/--model.*model mlp does not fit dataset image:/)
    const unknown = await clab(['teacher', '--dataset', 'cifar'], { env })
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toMatch(
      /--dataset: unknown dataset; expected one of moons.*an imported one \(tiny\) \(got "cifar"\)/,
    )
  })
})
