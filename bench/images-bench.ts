/**
 * Image-model speed per backend (issue 6), for bench/bench.ts to call, or on its own:
 *   npx tsx bench/images-bench.ts [--backends wasm,cpu] [--quick] [--json]
 *
 * Workload: the default U-Net (28x28x1, 32 base channels, multipliers [1, 2], GroupNorm 8) as an
 * eps-prediction teacher, batch 64, linear betas over T = 1000. Figures: images per second for one teacher
 * training step (forward, backward, Adam), ms per sample for one forward pass at batch 64, and the tensor
 * count across the timed steps (a leak shows as growth). The pure-JS cpu backend is ~40x slower than wasm
 * on convolutions (minutes per batch-64 step), so it is measured at `cpuBatch` (8) with one timed step;
 * images per second hardly depend on the batch at these sizes, and the batch used is reported.
 */
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { makeSchedule } from '@shared/cd/schedule'
import type { BackendChoice } from '@shared/config/fields'
import { Rng } from '@shared/rng'
import { Adam, minimize } from '../src-main/engine/adam'
import { selectBackend } from '../src-main/engine/backend'
import { assertBackendTrainsConv } from '../src-main/engine/conv-kernels'
import { timeEmbedding } from '../src-main/engine/mlp'
import { tf } from '../src-main/engine/tf'
import { countUnetParameters, initialUnetWeights, unetForward, unetSpec, UnetWeightSet } from '../src-main/engine/unet'

export interface ImagesBenchOptions {
  backends: BackendChoice[]
  quick?: boolean
  batch?: number
  /** Batch on the cpu backend (see above). */
  cpuBatch?: number
  baseChannels?: number
}

export interface ImagesBackendFigures {
  backend: string
  batch: number
  teacherStepMs: number
  teacherImagesPerSecond: number
  forwardMsPerSample: number
  timedSteps: number
  tensorsBefore: number
  tensorsAfter: number
}

export interface ImagesBenchResult {
  workload: string
  parameters: number
  backends: Record<string, ImagesBackendFigures>
  unavailable: Record<string, string>
}

const T = 1000

async function benchBackend(name: BackendChoice, options: Required<ImagesBenchOptions>): Promise<ImagesBackendFigures | string> {
  try {
    await selectBackend(name)
    assertBackendTrainsConv(tf.getBackend())
  } catch (error) {
    return (error as Error).message
  }
  const cpu = name === 'cpu'
  const batch = cpu ? options.cpuBatch : options.batch
  const spec = unetSpec({ height: 28, width: 28, channels: 1, baseChannels: options.baseChannels })
  const weights = UnetWeightSet.fromArrays(spec, initialUnetWeights(spec, Rng.fromSeed(1)), true, `bench-${name}`)
  const adam = new Adam(weights.variables())
  const schedule = makeSchedule('linear', T, 1e-4, 0.02)
  const rng = Rng.fromSeed(2)
  const size = batch * 28 * 28
  // Smooth strokes in [-1, 1] rather than uniform noise, so the loss behaves as on real digits.
  const x0 = Float32Array.from({ length: size }, (_, i) => Math.tanh(3 * Math.sin(i / 9) * Math.cos(i / 130)))

  const step = () => {
    const eps = rng.normals(size)
    const steps = new Int32Array(batch)
    const xNoisy = new Float32Array(size)
    for (let b = 0; b < batch; b++) {
      const k = rng.int(T)
      steps[b] = k
      const a = schedule.alphaBar[k] as number
      for (let j = b * 784; j < (b + 1) * 784; j++) xNoisy[j] = Math.sqrt(a) * (x0[j] as number) + Math.sqrt(1 - a) * (eps[j] as number)
    }
    const loss = tf.tidy(() => {
      const x = tf.tensor4d(xNoisy, [batch, 28, 28, 1])
      const target = tf.tensor4d(eps, [batch, 28, 28, 1])
      const embedding = tf.tensor2d(timeEmbedding(steps, spec.timeEmbeddingDim), [batch, spec.timeEmbeddingDim])
      return minimize(
        adam,
        weights.variables(),
        () => tf.mean(tf.square(tf.sub(unetForward(spec, weights.params, x, embedding), target))),
        1e-4,
        (value) => new Error(`images bench: loss became ${value}`),
      )
    })
    loss.dataSync()
    loss.dispose()
  }

  const timedSteps = options.quick || cpu ? 1 : 5
  step() // warm-up: kernel setup and first allocations
  const tensorsBefore = tf.memory().numTensors
  const start = performance.now()
  for (let i = 0; i < timedSteps; i++) step()
  const teacherStepMs = (performance.now() - start) / timedSteps
  const tensorsAfter = tf.memory().numTensors

  const forwardRuns = options.quick || cpu ? 1 : 3
  const forwardMs = tf.tidy(() => {
    const x = tf.randomNormal([batch, 28, 28, 1], 0, 1, 'float32', 3) as tf.Tensor4D
    const embedding = tf.tensor2d(timeEmbedding(new Int32Array(batch).fill(500), spec.timeEmbeddingDim), [batch, spec.timeEmbeddingDim])
    tf.tidy(() => unetForward(spec, weights.params, x, embedding).dataSync())
    const t0 = performance.now()
    for (let i = 0; i < forwardRuns; i++) tf.tidy(() => unetForward(spec, weights.params, x, embedding).dataSync())
    return (performance.now() - t0) / forwardRuns
  })
  adam.dispose()
  weights.dispose()
  return {
    backend: name,
    batch,
    teacherStepMs,
    teacherImagesPerSecond: (1000 * batch) / teacherStepMs,
    forwardMsPerSample: forwardMs / batch,
    timedSteps,
    tensorsBefore,
    tensorsAfter,
  }
}

export async function benchImages(options: ImagesBenchOptions, log: (line: string) => void = () => {}): Promise<ImagesBenchResult> {
  const full: Required<ImagesBenchOptions> = { quick: false, batch: 64, cpuBatch: 8, baseChannels: 32, ...options }
  const spec = unetSpec({ height: 28, width: 28, channels: 1, baseChannels: full.baseChannels })
  const result: ImagesBenchResult = {
    workload: `U-Net eps-prediction teacher, 28x28x1, base ${spec.baseChannels}, multipliers [${spec.channelMultipliers}], batch ${full.batch}`,
    parameters: countUnetParameters(spec),
    backends: {},
    unavailable: {},
  }
  for (const name of full.backends) {
    log(`benchmarking images on ${name}...`)
    const figures = await benchBackend(name, full)
    if (typeof figures === 'string') result.unavailable[name] = figures
    else result.backends[name] = figures
  }
  return result
}

/** Human-readable lines, in the style of bench.ts's summary. */
export function formatImagesBench(result: ImagesBenchResult): string[] {
  const lines = [`images: ${result.workload} (${result.parameters} parameters)`]
  for (const f of Object.values(result.backends)) {
    lines.push(
      `${f.backend.padEnd(8)} teacher step (batch ${f.batch}) ${f.teacherStepMs.toFixed(0)} ms = ${f.teacherImagesPerSecond.toFixed(1)} images/s | ` +
        `forward ${f.forwardMsPerSample.toFixed(2)} ms per sample | tensors ${f.tensorsBefore} -> ${f.tensorsAfter} over ${f.timedSteps} steps`,
    )
  }
  for (const [name, why] of Object.entries(result.unavailable)) lines.push(`${name.padEnd(8)} unavailable: ${why}`)
  return lines
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({
    options: {
      json: { type: 'boolean', default: false },
      backends: { type: 'string', default: 'node-gpu,node,wasm,cpu' },
      quick: { type: 'boolean', default: false },
    },
  })
  tf.env().set('PROD', true)
  const result = await benchImages({ backends: values.backends.split(',') as BackendChoice[], quick: values.quick }, (line) => process.stderr.write(`${line}\n`))
  process.stdout.write(`${formatImagesBench(result).join('\n')}\n`)
  if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`)
}
