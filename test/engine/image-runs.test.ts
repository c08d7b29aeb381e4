/**
 * Images through the whole engine, as 2D points go: a U-Net teacher trained from stored-image rows,
 * distilled (CD with Heun), sampled one- and multistep from shared noise, evaluated, previewed and
 * checkpointed — on every offered backend (cpu, wasm), tiny (8x8 images, 8 base channels) so it runs in
 * seconds. Resuming continues bit-for-bit on cpu, and no step leaks tensors.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { parseDistillConfig, parseTeacherConfig } from '@shared/config/validate'
import { Rng } from '@shared/rng'
import { architectureFor } from '../../src-main/engine/architecture'
import { selectBackend } from '../../src-main/engine/backend'
import { imageDataSource, imageHeldOutCount, type ImageRows } from '../../src-main/engine/data-source'
import { Distiller } from '../../src-main/engine/distiller'
import { evaluateStudent, evaluationNoise, teacherReference } from '../../src-main/engine/evaluate'
import { Previewer } from '../../src-main/engine/preview'
import { consistencySample, teacherSample } from '../../src-main/engine/samplers'
import { TeacherTrainer } from '../../src-main/engine/teacher-trainer'
import { loadTeacherModel } from '../../src-main/engine/teacher-model'
import { pickArrays } from '../../src-main/engine/snapshot'
import { TINY_IMAGE_COUNT, TINY_UNET_DISTILL, TINY_UNET_TEACHER, tinyImageRows } from '../helpers/tiny-images'
import { stepLosses } from '../helpers/train'
import { tf } from '../../src-main/engine/tf'

const COUNT = TINY_IMAGE_COUNT

afterAll(async () => {
  await selectBackend('cpu')
})

describe('image data source', () => {
  it('holds out the last tenth and never trains on it', async () => {
    const rows = tinyImageRows()
    const source = imageDataSource('image:synthetic', rows)
    expect(source.dim).toBe(64)
    expect(imageHeldOutCount(COUNT)).toBe(4)
    // The held-out rows are images 36..39: squares at 0, 1, 2, 3 (36 % 6 = 0).
    const heldOut = source.heldOut(4, 0)
    expect(heldOut[0]).toBe(1)
    const seen = new Set<number>()
    const rng = Rng.fromSeed(3)
    const spy: ImageRows = {
      ...rows,
      batch: (indices) => (Array.from(indices).forEach((i) => seen.add(i)), rows.batch(indices)),
    }
    imageDataSource('image:synthetic', spy).train(500, rng)
    expect(Math.max(...seen)).toBe(COUNT - 5)
    expect(() => imageDataSource('tiny', { ...rows, count: 1 })).toThrow(/too few/)
  })
})

describe.each(['cpu', 'wasm'] as const)('images on %s', (backend) => {
  it('trains a U-Net teacher, distills it, samples and evaluates from shared noise, leaking nothing', async () => {
    await selectBackend(backend)
    const data = imageDataSource('image:synthetic', tinyImageRows())
    const teacherConfig = parseTeacherConfig({ ...TINY_UNET_TEACHER, backend })
    const trainer = new TeacherTrainer(teacherConfig, backend, undefined, data)
    expect(trainer.model.architecture.kind).toBe('unet')
    const losses = await stepLosses(trainer, teacherConfig.steps)
    expect(losses).toHaveLength(teacherConfig.steps)
    expect(losses.every(Number.isFinite)).toBe(true)
    const teacher = loadTeacherModel(teacherConfig, pickArrays('teacher', (await trainer.snapshot(false)).arrays), data)
    trainer.dispose()

    const config = parseDistillConfig({ ...TINY_UNET_DISTILL, backend })
    const distiller = new Distiller(config, teacher, backend, undefined, data)
    await stepLosses(distiller, 1)
    const before = tf.memory().numTensors
    const distillLosses = await stepLosses(distiller, config.steps - 1)
    expect(distillLosses).toHaveLength(config.steps - 1)
    expect(distillLosses.every(Number.isFinite)).toBe(true)
    expect(tf.memory().numTensors).toBe(before)

    const noise = evaluationNoise(0, config.evalSamples, data.dim, 2)
    const reference = await teacherReference(teacher, data, 0, noise, 'ddim')
    expect(reference.rows.map((r) => [r.model, r.nfe])).toEqual([
      ['data', 0],
      ['teacher', 1],
      ['teacher', 10],
      ['teacher', 100],
    ])
    const evaluation = await evaluateStudent(
      distiller.evalEma,
      teacher,
      reference,
      noise,
      config.multistepSigmas,
      config.sigmaData,
      true,
      distiller.trainedSteps(),
    )
    expect(evaluation.rows.map((r) => r.nfe)).toEqual([1, 2, 3])
    for (const row of [...reference.rows, ...evaluation.rows]) expect(Number.isFinite(row.swd)).toBe(true)
    expect(evaluation.samples.get(1)).toHaveLength(config.evalSamples * 64)

    const previewer = new Previewer(teacher, data)
    const preview = await previewer.student(distiller.evalEma, distiller.trainedSteps(), {
      secondStepSigma: 0.8,
      sigmaData: 0.5,
      withBoundary: true,
    })
    expect(preview.sets.map((s) => [s.nfe, s.points.length])).toEqual([
      [1, 64 * 64],
      [2, 64 * 64],
    ])
    distiller.dispose()
    teacher.weights.dispose()
  })
})

/** A U-Net teacher with its initial weights on the synthetic images, on the cpu backend. */
async function untrainedCpuTeacher() {
  await selectBackend('cpu')
  const data = imageDataSource('image:synthetic', tinyImageRows())
  const teacherConfig = parseTeacherConfig({ ...TINY_UNET_TEACHER, backend: 'cpu' })
  const architecture = architectureFor(teacherConfig, data)
  const teacher = loadTeacherModel(teacherConfig, architecture.initialArrays(Rng.fromSeed(5)), data)
  return { data, architecture, teacher }
}

describe('images, cpu', () => {
  it('a resumed distillation continues bit-for-bit the same losses', async () => {
    const { data, teacher } = await untrainedCpuTeacher()
    const config = parseDistillConfig({ ...TINY_UNET_DISTILL, steps: 4, backend: 'cpu' })
    const straight = new Distiller(config, teacher, 'cpu', undefined, data)
    const expected = await stepLosses(straight, 4)
    straight.dispose()
    const first = new Distiller(config, teacher, 'cpu', undefined, data)
    const got = await stepLosses(first, 2)
    const snapshot = await first.snapshot()
    first.dispose()
    const resumed = new Distiller(config, teacher, 'cpu', snapshot, data)
    got.push(...(await stepLosses(resumed, 2)))
    expect(got).toHaveLength(4)
    resumed.dispose()
    expect(got).toEqual(expected)
    teacher.weights.dispose()
  })

  it('chunks sampling without changing any row', async () => {
    const { data, architecture, teacher } = await untrainedCpuTeacher()
    const noise = Rng.fromSeed(9).normals(5 * data.dim)
    const whole = await teacherSample(teacher.weights, architecture, teacher.schedule, noise, 3, 'heun')
    const chunked = await teacherSample(
      teacher.weights,
      { ...architecture, sampleChunk: 2 },
      teacher.schedule,
      noise,
      3,
      'heun',
    )
    expect(Array.from(chunked.points)).toEqual(Array.from(whole.points))
    const renoise = [Rng.fromSeed(10).normals(5 * data.dim)]
    const a = await consistencySample(
      teacher.weights,
      architecture,
      teacher.schedule,
      noise,
      renoise,
      [40],
      0.5,
      true,
      teacher.schedule.numSteps - 1,
    )
    const b = await consistencySample(
      teacher.weights,
      { ...architecture, sampleChunk: 3 },
      teacher.schedule,
      noise,
      renoise,
      [40],
      0.5,
      true,
      teacher.schedule.numSteps - 1,
    )
    expect(Array.from(b.points)).toEqual(Array.from(a.points))
    teacher.weights.dispose()
  })

  it('refuses a U-Net on 2D data and an MLP on images, naming the model field', async () => {
    expect(() => parseTeacherConfig({ dataset: 'moons', model: 'unet' })).toThrow(
      /model unet does not fit dataset moons/,
    )
    expect(() => parseTeacherConfig({ dataset: 'image:x', model: 'mlp' })).toThrow(
      /model mlp does not fit dataset image:x/,
    )
    expect(() => parseTeacherConfig({ dataset: 'image:x', model: 'unet', unetChannels: 12, unetGroups: 8 })).toThrow(
      /groups must divide the base channels 12/,
    )
    expect(() => parseTeacherConfig({ dataset: 'cifar' })).toThrow(/unknown dataset/)
  })
})
