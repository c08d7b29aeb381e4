/**
 * Where a U-Net training step's time goes, by kernel (#18):
 *   npx tsx bench/kernel-time.ts [--backend wasm] [--batch 64] [--top 15] [--cpu-steps N] [--json]
 * One teacher step and one CD Heun step (N 18, the target side on this thread so its kernels are counted) of
 * the bench's default U-Net run under tf.profile; each kernel's time (wall clock on wasm and cpu, which run
 * kernels synchronously; device time where tfjs-webgpu has timestamps) is summed by name. Kernels this engine
 * composes from other kernels (conv-kernels.ts) and views are left out, so nothing is counted twice; what the
 * kernels do not account for is the JavaScript around them (tape, gradient bookkeeping, batch drawing) and
 * inside the composed ones (the wasm filter gradient copies its im2col rows on the heap, conv-filter-grad.ts:
 * its BatchMatMul is listed, the copies not). --cpu-steps N then times N unprofiled steps of each in CPU time,
 * the least printed: on a machine other jobs load, that is what compares with PyTorch's process time.
 */
import { pathToFileURL } from 'node:url'
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
import { launchesWork, type Steppable } from './step-timing'
import { strokeRows } from './stroke-images'

export interface KernelTime {
  name: string
  calls: number
  ms: number
}

export interface StepTime {
  /** The profiled step, wall clock (profiling adds a little). */
  stepMs: number
  /** Summed time of the kernels that do work of their own. */
  kernelMs: number
  /** By kernel name, most time first. */
  kernels: KernelTime[]
  /**
   * Least CPU time (process.cpuUsage: all of this process's threads) over `cpuSteps` unprofiled steps, or
   * null when none were asked for: what the comparison with PyTorch on a loaded machine goes by.
   */
  cpuMs: number | null
}

/**
 * One profiled step of `trainee` (after one untimed warm-up step), its kernels' time summed by name; then
 * `cpuSteps` unprofiled steps timed in CPU time.
 */
export async function stepKernelTime(trainee: Steppable, cpuSteps = 0): Promise<StepTime> {
  await trainee.trainStep()
  await trainee.settle()
  const start = performance.now()
  const profile = await tf.profile(async () => {
    await trainee.trainStep()
    await trainee.settle()
  })
  const stepMs = performance.now() - start
  const backend = tf.getBackend()
  const byName = new Map<string, KernelTime>()
  for (const k of profile.kernels) {
    if (!launchesWork(k.name, backend)) continue
    const entry = byName.get(k.name) ?? { name: k.name, calls: 0, ms: 0 }
    entry.calls += 1
    entry.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0
    byName.set(k.name, entry)
  }
  const kernels = [...byName.values()].sort((a, b) => b.ms - a.ms)
  let cpuMs: number | null = null
  for (let i = 0; i < cpuSteps; i++) {
    const before = process.cpuUsage()
    await trainee.trainStep()
    await trainee.settle()
    const used = process.cpuUsage(before)
    cpuMs = Math.min(cpuMs ?? Infinity, (used.user + used.system) / 1000)
  }
  return { stepMs, kernelMs: kernels.reduce((s, k) => s + k.ms, 0), kernels, cpuMs }
}

/** The default U-Net's teacher step and CD Heun step (N 18) on `backend` at `batch`. */
export async function unetKernelTime(
  backend: BackendChoice,
  batch: number,
  cpuSteps = 0,
): Promise<{ teacher: StepTime; cdHeun: StepTime }> {
  await selectBackend(backend, { model: 'unet' })
  const data = imageDataSource('image:bench', strokeRows(256))
  const config = parseTeacherConfig({ dataset: 'image:bench', model: 'unet', batch, lr: 1e-4, backend })
  const trainer = new TeacherTrainer(config, backend, undefined, data)
  const teacherTime = await stepKernelTime(trainer, cpuSteps)
  const teacher = loadTeacherModel(config, pickArrays('teacher', (await trainer.snapshot(false)).arrays), data)
  trainer.dispose()
  const distill = parseDistillConfig({
    dataset: 'image:bench',
    teacher: 'bench',
    batch,
    solver: 'heun',
    numScales: 18,
    warmupSteps: 0,
    backend,
  })
  const distiller = new Distiller(distill, teacher, backend, undefined, data)
  const cdHeun = await stepKernelTime(distiller, cpuSteps)
  distiller.dispose()
  teacher.weights.dispose()
  return { teacher: teacherTime, cdHeun }
}

export function formatStepTime(label: string, t: StepTime, top: number): string[] {
  const lines = [
    `${label}: step ${t.stepMs.toFixed(0)} ms (profiled), kernels ${t.kernelMs.toFixed(0)} ms, ` +
      `outside kernels ${(t.stepMs - t.kernelMs).toFixed(0)} ms` +
      (t.cpuMs === null ? '' : `; CPU time per unprofiled step ${t.cpuMs.toFixed(0)} ms (least)`),
  ]
  for (const k of t.kernels.slice(0, top))
    lines.push(
      `  ${k.name.padEnd(28)} ${String(k.calls).padStart(5)} calls ${k.ms.toFixed(1).padStart(9)} ms ` +
        `${((100 * k.ms) / t.kernelMs).toFixed(1).padStart(5)} %`,
    )
  return lines
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({
    options: {
      backend: { type: 'string', default: 'wasm' },
      batch: { type: 'string', default: '64' },
      top: { type: 'string', default: '15' },
      'cpu-steps': { type: 'string', default: '0' },
      json: { type: 'boolean', default: false },
    },
  })
  tf.env().set('PROD', true)
  const batch = Number(values.batch)
  const result = await unetKernelTime(values.backend as BackendChoice, batch, Number(values['cpu-steps']))
  const top = Number(values.top)
  const lines = [
    `U-Net 28x28x1 default, batch ${batch}, backend ${tf.getBackend()}`,
    ...formatStepTime('teacher step', result.teacher, top),
    ...formatStepTime('CD Heun step (one thread)', result.cdHeun, top),
  ]
  process.stdout.write(`${lines.join('\n')}\n`)
  if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`)
}
