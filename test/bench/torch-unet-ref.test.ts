/**
 * #18 The image bench's PyTorch reference (bench/torch_unet_ref.py) is the engine's default U-Net, not one of
 * its family: loaded with the engine's weights (every parameter random, the zero-initialised ones too), its
 * forward on the same images and steps gives the engine's eps within float tolerance, on the default shape
 * and on a narrower one; and the timing mode the bench reads reports the engine's parameter count.
 * Skipped, saying why, where python3 has no torch (it is optional: Debian's python3-torch).
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { Rng } from '@shared/rng'
import { timeEmbedding } from '../../src-main/engine/mlp'
import { tf } from '../../src-main/engine/tf'
import {
  countUnetParameters,
  unetForward,
  unetParameterShapes,
  unetSpec,
  UnetWeightSet,
} from '../../src-main/engine/unet'
import type { WeightArrays } from '../../src-main/engine/weights'
import { torchUnetReference } from '../../bench/torch-unet'
import { useCpu } from '../helpers/engine'

const script = fileURLToPath(new URL('../../bench/torch_unet_ref.py', import.meta.url))
const env = { ...process.env }
delete env.OPENBLAS_CORETYPE
delete env.OPENBLAS_L2_SIZE
const python = ['/usr/bin/python3', 'python3'].find(
  (exe) => spawnSync(exe, ['-c', 'import torch, numpy'], { stdio: 'ignore', env }).status === 0,
)
if (!python) console.warn('#18 torch U-Net reference tests skipped: python3 with torch and numpy not found')

const dirs: string[] = []
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

/** Every parameter random (He-scaled; norms and biases around their init), so no part of the net is idle. */
function randomWeights(spec: ReturnType<typeof unetSpec>, seed: number): WeightArrays {
  const rng = Rng.fromSeed(seed)
  const out: WeightArrays = {}
  for (const p of unetParameterShapes(spec)) {
    const size = p.shape.reduce((a, b) => a * b, 1)
    const fanIn = p.shape.length > 1 ? size / (p.shape[p.shape.length - 1] as number) : 1
    const std = p.shape.length > 1 ? Math.sqrt(1 / fanIn) : 0.2
    const base = p.name.endsWith('.gamma') ? 1 : 0
    out[p.name] = { shape: p.shape, data: rng.normals(size).map((v) => base + v * std) }
  }
  return out
}

function relDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length)
  let num = 0
  let den = 0
  for (let i = 0; i < a.length; i++) {
    num += ((a[i] as number) - (b[i] as number)) ** 2
    den += (b[i] as number) ** 2
  }
  return Math.sqrt(num / den)
}

describe.skipIf(!python)('#18 the torch U-Net reference is the engine U-Net', () => {
  it.each([32, 8])(
    '#18 same eps as the engine for base channels %i',
    async (baseChannels) => {
      await useCpu()
      const spec = unetSpec({ height: 28, width: 28, channels: 1, baseChannels })
      const arrays = randomWeights(spec, baseChannels)
      const rows = 3
      const steps = Int32Array.from([0, 417, 999])
      const x = Rng.fromSeed(1).normals(rows * 28 * 28)
      const weights = UnetWeightSet.fromArrays(spec, arrays, false, 'check')
      const want = tf.tidy(() =>
        unetForward(
          spec,
          weights.params,
          tf.tensor4d(x, [rows, 28, 28, 1]),
          tf.tensor2d(timeEmbedding(steps, spec.timeEmbeddingDim), [rows, spec.timeEmbeddingDim]),
        ),
      )
      const engineEps = (await want.data()) as Float32Array
      want.dispose()
      weights.dispose()

      const dir = mkdtempSync(join(tmpdir(), 'torch-unet-'))
      dirs.push(dir)
      const shapes = unetParameterShapes(spec)
      writeFileSync(join(dir, 'weights.json'), JSON.stringify(shapes.map(({ name, shape }) => ({ name, shape }))))
      const flat = new Float32Array(countUnetParameters(spec))
      let at = 0
      for (const p of shapes) {
        const data = (arrays[p.name] as WeightArrays[string]).data
        flat.set(data, at)
        at += data.length
      }
      writeFileSync(join(dir, 'weights.f32'), flat)
      writeFileSync(join(dir, 'x.f32'), x)
      writeFileSync(join(dir, 'steps.json'), JSON.stringify(Array.from(steps)))
      const run = spawnSync(python as string, [script, 'forward', dir, String(baseChannels)], { encoding: 'utf8', env })
      expect(run.stderr).toBe('')
      expect(run.status).toBe(0)
      expect(run.stdout).toContain(`params=${countUnetParameters(spec)} rows=${rows}`)
      const buffer = readFileSync(join(dir, 'eps.f32'))
      const torchEps = new Float32Array(buffer.buffer, buffer.byteOffset, buffer.byteLength / 4)
      expect(torchEps).toHaveLength(engineEps.length)
      // A real output (all weights random), and the same one.
      expect(Math.max(...engineEps.map(Math.abs))).toBeGreaterThan(0.1)
      expect(relDiff(torchEps, engineEps)).toBeLessThan(1e-4)
    },
    120_000,
  )

  it('#18 the timing mode the bench reads: the engine count, both steps timed', () => {
    const spec = unetSpec({ height: 28, width: 28, channels: 1, baseChannels: 8 })
    const figures = torchUnetReference({
      batch: 2,
      timedSteps: 1,
      baseChannels: 8,
      engineParameters: countUnetParameters(spec),
    })
    if (typeof figures === 'string') throw new Error(figures)
    expect(figures.parameters).toBe(countUnetParameters(spec))
    expect(figures.batch).toBe(2)
    expect(figures.threads).toBe(2)
    expect(figures.teacherStepMs).toBeGreaterThan(0)
    expect(figures.cdStepHeunMs).toBeGreaterThan(0)
    // A count that is not the engine's is refused, not reported.
    const wrong = torchUnetReference({ batch: 2, timedSteps: 1, baseChannels: 8, engineParameters: 1 })
    expect(wrong).toMatch(/the torch U-Net has \d+ parameters, the engine's 1: not the same network/)
  }, 120_000)
})
