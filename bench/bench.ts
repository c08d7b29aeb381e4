/**
 * `npm run bench [-- --json] [--backends wasm,cpu] [--quick]`: engine speed figures per available backend,
 * measured in one process so they can be compared as ratios, plus the PyTorch CPU reference of
 * ALGORITHM.md side by side when python3 with torch is installed (Debian: python3-torch).
 *
 * Figures: ms per teacher-training step, per CD step (Euler/DDIM and Heun), ms per sample for the student's
 * one step vs the teacher's 100 steps, and tf.memory() tensors before/after a long run of CD steps; kernels
 * per teacher / CD step (and their device time where the backend has timestamps). webgpu runs on whatever
 * adapter exists, asked for by name so a software one (lavapipe) is measured too, labelled as such.
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { SINGLE_STEP_DEFAULTS } from '@shared/config/defaults'
import { parseDistillConfig, parseTeacherConfig } from '@shared/config/validate'
import type { BackendChoice } from '@shared/config/fields'
import { Rng } from '@shared/rng'
import { selectBackend } from '../src-main/engine/backend'
import { DATA_2D } from '../src-main/engine/data-source'
import { Distiller } from '../src-main/engine/distiller'
import { teacherSolveOf } from '../src-main/engine/cd-target-side'
import { consistencySample, teacherSample } from '../src-main/engine/samplers'
import { topOf } from '../src-main/engine/evaluate'
import { TeacherTrainer } from '../src-main/engine/teacher-trainer'
import { TargetSideThread, targetThreadWanted } from '../src-main/trainer-host/target-side-thread'
import { kernelText, stepKernels, threadsText, timeSteps, type StepKernels } from './step-timing'
import type { ImagesBenchResult } from './images-bench'
import { benchStore } from './store-bench'
import { tf } from '../src-main/engine/tf'

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    backends: { type: 'string', default: 'node-gpu,webgpu,node,wasm,cpu' },
    quick: { type: 'boolean', default: false },
    'skip-store': { type: 'boolean', default: false },
    // The conv teacher of image datasets (U-Net, 28x28, batch 64). cpu takes about a minute per step at
    // batch 8 on this machine, so it is measured only when asked for (--images-backends wasm,cpu).
    'images-backends': { type: 'string', default: 'webgpu,wasm' },
    'skip-images': { type: 'boolean', default: false },
    // Internal: the images section alone, as JSON, in a process of its own (see below).
    'images-only': { type: 'boolean', default: false },
  },
})

/** Steps timed per figure; the cpu backend and software WebGPU (lavapipe) are 10-30x slower than wasm: fewer. */
function stepsFor(slow: boolean, base: number): number {
  const scaled = slow ? Math.max(3, Math.round(base / 40)) : base
  return values.quick ? Math.max(3, Math.round(scaled / 10)) : scaled
}

async function timeIt(steps: number, fn: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < Math.min(10, steps); i++) await fn()
  const start = performance.now()
  for (let i = 0; i < steps; i++) await fn()
  return (performance.now() - start) / steps
}

interface BackendFigures {
  backend: string
  /** The backend as recorded with a run: webgpu's adapter and whether it is software. */
  label: string
  teacherStepKernels: StepKernels
  cdStepEulerKernels: StepKernels
  teacherStepMs: number
  cdStepEulerMs: number
  cdStepHeunMs: number
  /** Threads the CD figures above used: 2 when the target side runs on a second core, as in runs. */
  cdThreads: number
  cdStepEulerOneThreadMs: number
  cdStepHeunOneThreadMs: number
  /** A CD step of the default preset (DISTILL_DEFAULTS: Heun substeps per hop, top pair share), as runs take it. */
  cdStepDefaultPresetMs: number
  sampleStudent1StepMsPerSample: number
  sampleTeacher100StepMsPerSample: number
  tensorsBefore: number
  tensorsAfter: number
  leakCheckSteps: number
}

async function benchBackend(name: BackendChoice): Promise<BackendFigures | string> {
  let label: string
  let slow: boolean
  try {
    const info = await selectBackend(name, { model: 'mlp' })
    label = info.label
    slow = name === 'cpu' || info.adapter?.software === true
  } catch (error) {
    return (error as Error).message
  }
  // The reference workload: moons, MLP 3 x 256 SiLU, batch 256 (ALGORITHM.md).
  const teacherConfig = parseTeacherConfig({ dataset: 'moons', batch: 256 })
  const trainer = new TeacherTrainer(teacherConfig, name)
  const teacherStepMs = await timeSteps(trainer, stepsFor(slow, 200))
  const teacherStepKernels = await stepKernels(trainer)
  const teacher = trainer.model
  // As runs do it: the teacher step and target network on a second thread when there is a second core
  // (trainer-host/target-side-thread.ts), and for comparison everything on one thread.
  const threaded = targetThreadWanted(name)
  // The reference's step: one teacher step per hop over 18 levels, lambda = 1 (not the default preset's substeps).
  const referenceStep = (solver: 'ddim' | 'heun') => ({ ...SINGLE_STEP_DEFAULTS, solver })
  const cd = async (settings: Record<string, unknown>, twoThreads: boolean) => {
    const config = parseDistillConfig({ dataset: 'moons', batch: 256, ...settings, steps: 1_000_000 })
    const distiller = new Distiller(config, teacher, name)
    const thread = twoThreads
      ? await TargetSideThread.start({
          backend: name,
          teacher,
          data: DATA_2D,
          solve: teacherSolveOf(config, teacher.schedule),
          sigmaData: config.sigmaData,
          batch: 256,
        })
      : null
    if (thread) distiller.offloadTargetSide(thread)
    const ms = await timeSteps(distiller, stepsFor(slow, 200))
    return { distiller, ms, close: async () => thread?.close() }
  }
  // Without the thread the one-thread distillers are the ones measured below (the leak check and the
  // sampling use Euler's), so they are disposed only where the threaded ones replace them.
  const eulerOneThread = await cd(referenceStep('ddim'), false)
  if (threaded) eulerOneThread.distiller.dispose()
  const heunOneThread = await cd(referenceStep('heun'), false)
  if (threaded) heunOneThread.distiller.dispose()
  const euler = threaded ? await cd(referenceStep('ddim'), true) : eulerOneThread
  const heun = threaded ? await cd(referenceStep('heun'), true) : heunOneThread
  heun.distiller.dispose()
  await heun.close()
  // What a run of the default preset costs per step (its teacher takes several Heun substeps per hop).
  const preset = await cd({}, threaded)
  preset.distiller.dispose()
  await preset.close()

  const cdStepEulerKernels = await stepKernels(euler.distiller)
  const leakCheckSteps = stepsFor(slow, 1000)
  const tensorsBefore = tf.memory().numTensors
  for (let i = 0; i < leakCheckSteps; i++) await euler.distiller.trainStep()
  await euler.distiller.settle()
  const tensorsAfter = tf.memory().numTensors

  const n = 1000
  const noise = Rng.fromSeed(1).normals(n * 2)
  const sigmaData = 0.5
  const student = await timeIt(5, () =>
    consistencySample(
      euler.distiller.evalEma,
      teacher.architecture,
      teacher.schedule,
      noise,
      [],
      [],
      sigmaData,
      true,
      topOf(euler.distiller.trainedSteps()),
    ),
  )
  const teacher100 = await timeIt(slow ? 1 : 2, () =>
    teacherSample(teacher.weights, teacher.architecture, teacher.schedule, noise, 100, 'ddim'),
  )
  euler.distiller.dispose()
  await euler.close()
  trainer.dispose()
  return {
    backend: name,
    label,
    teacherStepKernels,
    cdStepEulerKernels,
    teacherStepMs,
    cdStepEulerMs: euler.ms,
    cdStepHeunMs: heun.ms,
    cdThreads: threaded ? 2 : 1,
    cdStepEulerOneThreadMs: eulerOneThread.ms,
    cdStepHeunOneThreadMs: heunOneThread.ms,
    cdStepDefaultPresetMs: preset.ms,
    sampleStudent1StepMsPerSample: student / n,
    sampleTeacher100StepMsPerSample: teacher100 / n,
    tensorsBefore,
    tensorsAfter,
    leakCheckSteps,
  }
}

/** PyTorch CPU, 1 thread, the same CD step (shared/reference/torch_cd_ref.py), if torch is installed. */
function torchReference(): { teacherStepMs: number; cdStepMs: number } | string {
  const script = fileURLToPath(new URL('../../shared/reference/torch_cd_ref.py', import.meta.url))
  if (!existsSync(script)) return `reference script not found at ${script}`
  const steps = values.quick ? '100' : '500'
  // Debian's python3-torch lives under /usr/bin/python3; a pyenv python3 earlier on PATH may lack it.
  const python = ['/usr/bin/python3', 'python3'].find(
    (exe) => spawnSync(exe, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0,
  )
  if (!python) return 'python3 with torch not found (Debian: apt-get install python3-torch libopenblas0-pthread)'
  const result = spawnSync(python, [script, 'moons', steps, steps, '18', '1'], { encoding: 'utf8', timeout: 300_000 })
  if (result.status !== 0)
    return `python3 torch reference did not run (${(result.stderr || result.error?.message || '').split('\n').filter(Boolean).pop() ?? 'unknown error'})`
  const match = /teacher_train=([\d.]+) cd=([\d.]+)/.exec(result.stdout)
  if (!match) return 'could not read the reference output'
  return { teacherStepMs: Number(match[1]), cdStepMs: Number(match[2]) }
}

if (values['images-only']) {
  const { benchImages } = await import('./images-bench')
  const result = await benchImages({
    backends: values['images-backends'].split(',') as BackendChoice[],
    quick: values.quick,
  })
  process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0))
  await new Promise(() => {})
}

const figures: BackendFigures[] = []
const unavailable: Record<string, string> = {}
for (const name of values.backends.split(',') as BackendChoice[]) {
  if (!values.json) process.stderr.write(`benchmarking ${name}...\n`)
  const result = await benchBackend(name)
  if (typeof result === 'string') unavailable[name] = result
  else figures.push(result)
}
const torch = torchReference()
if (!values.json && !values['skip-store']) process.stderr.write('benchmarking the run store...\n')
const store = values['skip-store'] ? null : await benchStore(values.quick ? { points: 100_000, runs: 1000 } : {})
let images = null
if (!values['skip-images']) {
  if (!values.json) process.stderr.write('benchmarking the image U-Net...\n')
  // Its own process, this same script again (under tsx, or the GPU check's bundle) with the images section
  // only: a process selects wasm once, and the U-Net takes every core where the MLP above took one
  // (wasm-threads.ts, defaultWasmThreads).
  const child = spawnSync(
    process.execPath,
    [
      ...process.execArgv,
      process.argv[1] as string,
      '--images-only',
      '--images-backends',
      values['images-backends'],
      ...(values.quick ? ['--quick'] : []),
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 1024 * 1024 },
  )
  const last = child.stdout.trim().split('\n').at(-1) ?? ''
  if (child.status !== 0 || !last.startsWith('{'))
    throw new Error(`the images bench failed (exit ${child.status}): ${child.stdout.slice(-2000)}`)
  const { formatImagesBench } = await import('./images-bench')
  const result = JSON.parse(last) as ImagesBenchResult
  images = { result, lines: formatImagesBench(result) }
}
const best = figures.reduce<BackendFigures | null>(
  (b, f) => (b === null || f.cdStepEulerMs < b.cdStepEulerMs ? f : b),
  null,
)
const summary = {
  workload: 'moons, MLP 3x256 SiLU, batch 256, N = 18',
  backends: Object.fromEntries(figures.map((f) => [f.backend, f])),
  unavailable,
  torchReference: typeof torch === 'string' ? { unavailable: torch } : torch,
  bestBackend: best?.backend ?? null,
  cdStepRatioBestToTorch: best && typeof torch !== 'string' ? best.cdStepEulerMs / torch.cdStepMs : null,
  teacherStepRatioBestToTorch: best && typeof torch !== 'string' ? best.teacherStepMs / torch.teacherStepMs : null,
  store,
  images: images?.result ?? null,
}

const lines: string[] = []
lines.push(`workload: ${summary.workload}`)
for (const f of figures) {
  if (f.label !== f.backend) lines.push(`${f.backend.padEnd(8)} ${f.label}`)
  lines.push(
    `${f.backend.padEnd(8)} kernels per step: teacher ${kernelText(f.teacherStepKernels)}, CD Euler ${kernelText(f.cdStepEulerKernels)}`,
  )
  lines.push(
    `${f.backend.padEnd(8)} teacher step ${f.teacherStepMs.toFixed(2)} ms | CD step Euler ${f.cdStepEulerMs.toFixed(2)} ms, Heun ${f.cdStepHeunMs.toFixed(2)} ms ` +
      `(${threadsText(f.cdThreads)}; on one: ${f.cdStepEulerOneThreadMs.toFixed(2)} / ${f.cdStepHeunOneThreadMs.toFixed(2)} ms); default preset ${f.cdStepDefaultPresetMs.toFixed(2)} ms | ` +
      `sample: student 1-step ${(f.sampleStudent1StepMsPerSample * 1000).toFixed(2)} us, teacher 100-step ${(f.sampleTeacher100StepMsPerSample * 1000).toFixed(1)} us per sample | ` +
      `tensors ${f.tensorsBefore} -> ${f.tensorsAfter} over ${f.leakCheckSteps} CD steps`,
  )
}
for (const [name, why] of Object.entries(unavailable)) lines.push(`${name.padEnd(8)} unavailable: ${why}`)
if (typeof torch === 'string') lines.push(`torch    reference unavailable: ${torch}`)
else
  lines.push(
    `torch    teacher step ${torch.teacherStepMs.toFixed(2)} ms | CD step Euler ${torch.cdStepMs.toFixed(2)} ms (PyTorch CPU, 1 thread)`,
  )
if (summary.cdStepRatioBestToTorch !== null)
  lines.push(
    `best (${summary.bestBackend}) / torch: CD step ${summary.cdStepRatioBestToTorch.toFixed(2)}x, teacher step ${summary.teacherStepRatioBestToTorch?.toFixed(2)}x`,
  )
if (store) for (const [name, value] of Object.entries(store)) lines.push(`store    ${name}: ${value}`)
if (images) lines.push(...images.lines)
process.stdout.write(`${lines.join('\n')}\n`)
if (values.json) process.stdout.write(`${JSON.stringify(summary)}\n`)
