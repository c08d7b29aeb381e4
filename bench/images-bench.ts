/**
 * Image-model speed per backend (issue 6), for bench/bench.ts to call, or on its own:
 *   npx tsx bench/images-bench.ts [--backends wasm,cpu] [--quick] [--skip-torch] [--json]
 *
 * Workload: the engine's own TeacherTrainer and Distiller on 28x28x1 images (synthetic strokes served as a
 * stored dataset would be), the default U-Net (32 base channels, multipliers [1, 2], GroupNorm 8), batch 64,
 * linear betas over T = 1000. Figures: images per second for a teacher training step and for a CD step
 * (Heun teacher step, N = 18), and ms per sample for generation: the student in one step vs the teacher's
 * 100-step DDIM from the same noise; plus the tensor count across the timed steps (a leak shows as growth).
 * The pure-JS cpu backend is ~40x slower than wasm on convolutions (minutes per batch-64 step), so it is
 * measured at `cpuBatch` (8) with one timed step; images per second hardly depend on the batch at these
 * sizes, and the batch used is reported. Where python3 has torch, PyTorch CPU times the same network (same
 * parameter count, checked) on the same two steps at `batch` (bench/torch_unet_ref.py, 2 threads), and each
 * backend's time per image is printed over torch's, measured in the same run.
 */
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import type { BackendChoice } from '@shared/config/fields'
import { parseDistillConfig, parseTeacherConfig } from '@shared/config/validate'
import { Rng } from '@shared/rng'
import { selectBackend } from '../src-main/engine/backend'
import { assertBackendTrainsConv } from '../src-main/engine/conv-kernels'
import { imageDataSource } from '../src-main/engine/data-source'
import { Distiller } from '../src-main/engine/distiller'
import { teacherSolveOf } from '../src-main/engine/cd-target-side'
import { TargetSideThread, targetThreadWanted } from '../src-main/trainer-host/target-side-thread'
import { consistencySample, teacherSample } from '../src-main/engine/samplers'
import { topOf } from '../src-main/engine/evaluate'
import { pickArrays } from '../src-main/engine/snapshot'
import { loadTeacherModel } from '../src-main/engine/teacher-model'
import { TeacherTrainer } from '../src-main/engine/teacher-trainer'
import { tf } from '../src-main/engine/tf'
import { countUnetParameters, unetSpec } from '../src-main/engine/unet'
import { stepKernels, threadsText, timeSteps, type StepKernels } from './step-timing'
import { torchUnetReference, type TorchUnetFigures } from './torch-unet'
import { strokeRows } from './stroke-images'

export interface ImagesBenchOptions {
  backends: BackendChoice[]
  quick?: boolean
  batch?: number
  /** Batch on the cpu backend (see above). */
  cpuBatch?: number
  baseChannels?: number
  /** PyTorch CPU on the same network and steps (bench/torch_unet_ref.py), where python3 has torch. */
  torch?: boolean
}

export interface ImagesBackendFigures {
  backend: string
  /** The backend as recorded with a run: webgpu's adapter and whether it is software. */
  label: string
  teacherStepKernels: StepKernels
  /** Null when the target side ran on a second thread (its kernels are not this thread's). */
  cdStepHeunKernels: StepKernels | null
  batch: number
  teacherStepMs: number
  teacherImagesPerSecond: number
  cdStepHeunMs: number
  /** 2 when the CD step's teacher and target ran on a second thread, as in runs. */
  cdThreads: number
  cdImagesPerSecond: number
  /** Student, one network call per sample (NFE 1). */
  studentOneStepMsPerSample: number
  /** Teacher, 100 DDIM steps per sample (NFE 100), from the same noise. */
  teacher100MsPerSample: number
  timedSteps: number
  /** Around the timed teacher steps, then around the timed CD steps. */
  tensorsBefore: number
  tensorsAfter: number
  cdTensorsBefore: number
  cdTensorsAfter: number
  /** Our time per image over torch's, measured in the same run (null without torch). */
  teacherStepRatioToTorch: number | null
  cdStepHeunRatioToTorch: number | null
}

export interface ImagesBenchResult {
  workload: string
  parameters: number
  backends: Record<string, ImagesBackendFigures>
  unavailable: Record<string, string>
  /** PyTorch CPU, the same U-Net and steps at `batch`; a string says why it is absent; null when not asked. */
  torch: TorchUnetFigures | string | null
}

/** Samples generated for the ms-per-sample figures (the teacher's 100 steps make more too slow here). */
const GENERATED = 8

async function benchBackend(
  name: BackendChoice,
  options: Required<ImagesBenchOptions>,
): Promise<ImagesBackendFigures | string> {
  let label: string
  let software: boolean
  try {
    const info = await selectBackend(name, { model: 'unet' })
    label = info.label
    software = info.adapter?.software === true
    assertBackendTrainsConv(tf.getBackend())
  } catch (error) {
    return (error as Error).message
  }
  // Software WebGPU (lavapipe) is as slow as the cpu backend: the same small batch and single timed step.
  const cpu = name === 'cpu' || software
  const batch = cpu ? options.cpuBatch : options.batch
  const data = imageDataSource('image:bench', strokeRows(512))
  const teacherConfig = parseTeacherConfig({
    dataset: 'image:bench',
    model: 'unet',
    unetChannels: options.baseChannels,
    batch,
    lr: 1e-4,
    backend: name,
  })
  const trainer = new TeacherTrainer(teacherConfig, name, undefined, data)
  const timedSteps = options.quick || cpu ? 1 : 3
  await trainer.trainStep() // warm-up: kernel setup and first allocations
  await trainer.settle()
  const tensorsBefore = tf.memory().numTensors
  const teacherStepMs = await timeSteps(trainer, timedSteps, 0)
  const tensorsAfter = tf.memory().numTensors
  const teacherStepKernels = await stepKernels(trainer)
  const teacher = loadTeacherModel(teacherConfig, pickArrays('teacher', (await trainer.snapshot(false)).arrays), data)
  trainer.dispose()

  const distillConfig = parseDistillConfig({
    dataset: 'image:bench',
    teacher: 'bench',
    batch,
    solver: 'heun',
    numScales: 18,
    warmupSteps: 0,
    sigmaData: 0.5,
    backend: name,
  })
  const distiller = new Distiller(distillConfig, teacher, name, undefined, data)
  // As runs do it: the teacher step and target network on a second thread when there is a second core.
  const thread = targetThreadWanted(name)
    ? await TargetSideThread.start({
        backend: name,
        teacher,
        data,
        solve: teacherSolveOf(distillConfig, teacher.schedule),
        sigmaData: distillConfig.sigmaData,
        batch,
      })
    : null
  if (thread) distiller.offloadTargetSide(thread)
  await distiller.trainStep()
  await distiller.settle()
  const cdTensorsBefore = tf.memory().numTensors
  const cdStepHeunMs = await timeSteps(distiller, timedSteps, 0)
  const cdTensorsAfter = tf.memory().numTensors
  const cdStepHeunKernels = thread ? null : await stepKernels(distiller)
  await thread?.close()

  const noise = Rng.fromSeed(3).normals(GENERATED * data.dim)
  const student = await consistencySample(
    distiller.evalEma,
    teacher.architecture,
    teacher.schedule,
    noise,
    [],
    [],
    0.5,
    true,
    topOf(distiller.trainedSteps()),
  )
  const teacher100 = await teacherSample(
    teacher.weights,
    teacher.architecture,
    teacher.schedule,
    noise,
    options.quick ? 10 : 100,
    'ddim',
  )
  distiller.dispose()
  teacher.weights.dispose()
  return {
    backend: name,
    label,
    teacherStepKernels,
    cdStepHeunKernels,
    batch,
    teacherStepMs,
    teacherImagesPerSecond: (1000 * batch) / teacherStepMs,
    cdStepHeunMs,
    cdThreads: thread ? 2 : 1,
    cdImagesPerSecond: (1000 * batch) / cdStepHeunMs,
    studentOneStepMsPerSample: student.ms / GENERATED,
    // --quick times 10 teacher steps and scales to 100 (said in the printed line).
    teacher100MsPerSample: (teacher100.ms / GENERATED) * (options.quick ? 10 : 1),
    timedSteps,
    tensorsBefore,
    tensorsAfter,
    cdTensorsBefore,
    cdTensorsAfter,
    teacherStepRatioToTorch: null,
    cdStepHeunRatioToTorch: null,
  }
}

export async function benchImages(
  options: ImagesBenchOptions,
  log: (line: string) => void = () => {},
): Promise<ImagesBenchResult> {
  const full: Required<ImagesBenchOptions> = {
    quick: false,
    batch: 64,
    cpuBatch: 8,
    baseChannels: 32,
    torch: true,
    ...options,
  }
  const spec = unetSpec({ height: 28, width: 28, channels: 1, baseChannels: full.baseChannels })
  const result: ImagesBenchResult = {
    workload: `U-Net eps-prediction teacher and CD student, 28x28x1, base ${spec.baseChannels}, multipliers [${spec.channelMultipliers}], batch ${full.batch}${full.quick ? ' (quick: teacher 100-step time scaled from 10 steps)' : ''}`,
    parameters: countUnetParameters(spec),
    backends: {},
    unavailable: {},
    torch: null,
  }
  for (const name of full.backends) {
    log(`benchmarking images on ${name}...`)
    const figures = await benchBackend(name, full)
    if (typeof figures === 'string') result.unavailable[name] = figures
    else result.backends[name] = figures
  }
  if (full.torch) {
    log('benchmarking the same U-Net in PyTorch (CPU)...')
    const torch = torchUnetReference({
      batch: full.batch,
      timedSteps: full.quick ? 1 : 3,
      baseChannels: full.baseChannels,
      engineParameters: result.parameters,
    })
    result.torch = torch
    if (typeof torch !== 'string') {
      // Per image, since cpu and software webgpu run at a smaller batch than torch.
      const perImage = (ms: number, batch: number) => ms / batch
      for (const f of Object.values(result.backends)) {
        f.teacherStepRatioToTorch = perImage(f.teacherStepMs, f.batch) / perImage(torch.teacherStepMs, torch.batch)
        f.cdStepHeunRatioToTorch = perImage(f.cdStepHeunMs, f.batch) / perImage(torch.cdStepHeunMs, torch.batch)
      }
    }
  }
  return result
}

/** Human-readable lines, in the style of bench.ts's summary. */
export function formatImagesBench(result: ImagesBenchResult): string[] {
  const lines = [`images: ${result.workload} (${result.parameters} parameters)`]
  const kernelText = (k: StepKernels | null) =>
    k === null
      ? 'n/a (two threads)'
      : `${k.kernels}${k.kernelMs === null ? '' : ` (${k.kernelMs.toFixed(1)} ms device)`}`
  for (const f of Object.values(result.backends)) {
    if (f.label !== f.backend) lines.push(`${f.backend.padEnd(8)} ${f.label}`)
    lines.push(
      `${f.backend.padEnd(8)} kernels per step: teacher ${kernelText(f.teacherStepKernels)}, CD Heun ${kernelText(f.cdStepHeunKernels)}`,
    )
    lines.push(
      `${f.backend.padEnd(8)} teacher step (batch ${f.batch}) ${f.teacherStepMs.toFixed(0)} ms = ${f.teacherImagesPerSecond.toFixed(1)} images/s | ` +
        `CD step (Heun, ${threadsText(f.cdThreads)}) ${f.cdStepHeunMs.toFixed(0)} ms = ${f.cdImagesPerSecond.toFixed(1)} images/s | ` +
        `ms per sample: student 1 step ${f.studentOneStepMsPerSample.toFixed(1)}, teacher 100 steps ${f.teacher100MsPerSample.toFixed(0)} ` +
        `(${(f.teacher100MsPerSample / f.studentOneStepMsPerSample).toFixed(0)}x) | tensors over ${f.timedSteps} steps: teacher ${f.tensorsBefore} -> ${f.tensorsAfter}, CD ${f.cdTensorsBefore} -> ${f.cdTensorsAfter}`,
    )
  }
  for (const [name, why] of Object.entries(result.unavailable)) lines.push(`${name.padEnd(8)} unavailable: ${why}`)
  const torch = result.torch
  if (typeof torch === 'string') lines.push(`torch    U-Net reference unavailable: ${torch}`)
  else if (torch) {
    lines.push(
      `torch    teacher step (batch ${torch.batch}) ${torch.teacherStepMs.toFixed(0)} ms = ${((1000 * torch.batch) / torch.teacherStepMs).toFixed(1)} images/s | ` +
        `CD step (Heun) ${torch.cdStepHeunMs.toFixed(0)} ms = ${((1000 * torch.batch) / torch.cdStepHeunMs).toFixed(1)} images/s ` +
        `(PyTorch CPU, ${torch.threads} threads, ${torch.parameters} parameters, the same network)`,
    )
    for (const f of Object.values(result.backends))
      lines.push(
        `${f.backend.padEnd(8)} / torch, time per image: teacher step ${f.teacherStepRatioToTorch?.toFixed(2)}x, CD Heun step ${f.cdStepHeunRatioToTorch?.toFixed(2)}x`,
      )
  }
  return lines
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({
    options: {
      json: { type: 'boolean', default: false },
      backends: { type: 'string', default: 'node-gpu,webgpu,node,wasm,cpu' },
      quick: { type: 'boolean', default: false },
      'skip-torch': { type: 'boolean', default: false },
    },
  })
  tf.env().set('PROD', true)
  const result = await benchImages(
    { backends: values.backends.split(',') as BackendChoice[], quick: values.quick, torch: !values['skip-torch'] },
    (line) => process.stderr.write(`${line}\n`),
  )
  process.stdout.write(`${formatImagesBench(result).join('\n')}\n`)
  if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`)
}
