/**
 * `npx tsx bench/kernel-profile.ts [--backends cpu,wasm,webgpu] [--batch 4] [--time N] [--json]`: the kernels
 * one training step launches, counted by name (tf.profile), for the 2D teacher step (moons, MLP 3x256, batch
 * 256), the 2D CD step of the default preset, and the default U-Net's teacher and default-preset CD steps
 * (28x28, at a small batch: kernel counts do not depend on it). On a GPU, small kernels cost their launch more
 * than their arithmetic, so this is what to read before fusing anything; `npm run bench` reports the totals.
 * With --time, also ms per step over N steps.
 */
import { parseArgs } from 'node:util'
import type { BackendChoice } from '@shared/config/fields'
import { parseDistillConfig, parseTeacherConfig } from '@shared/config/validate'
import { selectBackend } from '../src-main/engine/backend'
import { imageDataSource } from '../src-main/engine/data-source'
import { Distiller } from '../src-main/engine/distiller'
import { pickArrays } from '../src-main/engine/snapshot'
import { loadTeacherModel } from '../src-main/engine/teacher-model'
import { TeacherTrainer } from '../src-main/engine/teacher-trainer'
import { tf } from '../src-main/engine/tf'
import { launchesWork, timeSteps, type Steppable } from './step-timing'
import { strokeRows } from './stroke-images'

const { values } = parseArgs({
  options: {
    backends: { type: 'string', default: 'cpu,wasm,webgpu' },
    batch: { type: 'string', default: '4' },
    json: { type: 'boolean', default: false },
    /** Also time this many steps per workload (ms per step, after the profiled ones). */
    time: { type: 'string', default: '0' },
  },
})

export interface KernelCounts {
  total: number
  /** Kernels doing device work of their own (step-timing.ts launchesWork). */
  launches: number
  /** Mean ms per step over --time steps, null when not timed. */
  msPerStep: number | null
  byName: Record<string, number>
}

/** Kernels one step of `trainee` launches, by kernel name. */
export async function kernelsByName(trainee: Steppable): Promise<KernelCounts> {
  await trainee.trainStep()
  await trainee.settle()
  const profile = await tf.profile(async () => {
    await trainee.trainStep()
  })
  await trainee.settle()
  const byName: Record<string, number> = {}
  for (const k of profile.kernels) byName[k.name] = (byName[k.name] ?? 0) + 1
  const backend = tf.getBackend()
  const launches = profile.kernels.filter((k) => launchesWork(k.name, backend)).length
  const timed = Number(values.time)
  const msPerStep = timed > 0 ? await timeSteps(trainee, timed, 0) : null
  return { total: profile.kernels.length, launches, msPerStep, byName }
}

async function profileBackend(name: BackendChoice, batch: number): Promise<Record<string, KernelCounts> | string> {
  try {
    await selectBackend(name, { model: 'unet' })
  } catch (error) {
    return (error as Error).message
  }
  const out: Record<string, KernelCounts> = {}
  const trainer = new TeacherTrainer(parseTeacherConfig({ dataset: 'moons', batch: 256 }), name)
  out['2D teacher'] = await kernelsByName(trainer)
  const distiller = new Distiller(
    parseDistillConfig({ dataset: 'moons', batch: 256, steps: 1_000_000 }),
    trainer.model,
    name,
  )
  out['2D CD (default preset)'] = await kernelsByName(distiller)
  distiller.dispose()
  trainer.dispose()
  const data = imageDataSource('image:bench', strokeRows(64))
  const unet = new TeacherTrainer(
    parseTeacherConfig({ dataset: 'image:bench', model: 'unet', batch, lr: 1e-4, backend: name }),
    name,
    undefined,
    data,
  )
  out[`U-Net teacher (batch ${batch})`] = await kernelsByName(unet)
  const teacher = loadTeacherModel(unet.config, pickArrays('teacher', (await unet.snapshot(false)).arrays), data)
  unet.dispose()
  const cd = new Distiller(
    parseDistillConfig({ dataset: 'image:bench', teacher: 'bench', batch, steps: 1_000_000, backend: name }),
    teacher,
    name,
    undefined,
    data,
  )
  out[`U-Net CD, default preset (batch ${batch})`] = await kernelsByName(cd)
  cd.dispose()
  teacher.weights.dispose()
  return out
}

const results: Record<string, Record<string, KernelCounts> | string> = {}
for (const name of values.backends.split(',') as BackendChoice[]) {
  results[name] = await profileBackend(name, Number(values.batch))
}
if (values.json) process.stdout.write(`${JSON.stringify(results)}\n`)
else
  for (const [backend, r] of Object.entries(results)) {
    if (typeof r === 'string') {
      process.stdout.write(`${backend}: unavailable: ${r}\n`)
      continue
    }
    for (const [workload, k] of Object.entries(r)) {
      const names = Object.entries(k.byName)
        .sort((a, b) => b[1] - a[1])
        .map(([n, c]) => `${n} ${c}`)
        .join(', ')
      process.stdout.write(
        `${backend.padEnd(7)} ${workload}: ${k.total} kernels, ${k.launches} launches${k.msPerStep === null ? '' : `, ${k.msPerStep.toFixed(1)} ms per step`}: ${names}\n`,
      )
    }
  }
