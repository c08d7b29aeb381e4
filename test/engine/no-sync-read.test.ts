/**
 * #18: no synchronous read in a training step, on any backend. tfjs-webgpu cannot read synchronously under
 * Node at all (no OffscreenCanvas), and elsewhere a dataSync stalls the device pipeline on every step. Here
 * the engine's synchronous read (Engine.readSync, behind dataSync / arraySync / bufferSync) throws while the
 * trainers step, as on webgpu; the backends' own kernels, which read their buffers directly, still run.
 */
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest'
import { ALGORITHMS, type BackendChoice } from '@shared/config/fields'
import { parseDistillConfig, parseTeacherConfig } from '@shared/config/validate'
import { selectBackend } from '../../src-main/engine/backend'
import { Distiller } from '../../src-main/engine/distiller'
import { TeacherTrainer } from '../../src-main/engine/teacher-trainer'
import { tf } from '../../src-main/engine/tf'
import { randomTeacher, SMALL_TEACHER } from '../helpers/engine'
import { tinyDistillConfig, tinyImageData, tinyUnetTeacher, TINY_UNET_TEACHER } from '../helpers/tiny-images'

const forbidden = new Error('a synchronous read (dataSync / arraySync) in a training step')

function forbidSyncReads(): void {
  vi.spyOn(tf.engine(), 'readSync').mockImplementation(() => {
    throw forbidden
  })
}

/** Steps with synchronous reads forbidden, and checkpoints too: only `await data()` may read. */
async function stepStrictly(
  trainee: { trainStep(): Promise<unknown[]>; settle(): Promise<unknown[]>; snapshot(): Promise<unknown> },
  n: number,
): Promise<number> {
  forbidSyncReads()
  let seen = 0
  for (let i = 0; i < n; i++) seen += (await trainee.trainStep()).length
  await trainee.snapshot()
  seen += (await trainee.settle()).length
  vi.restoreAllMocks()
  return seen
}

afterEach(() => vi.restoreAllMocks())
afterAll(async () => {
  await selectBackend('cpu')
})

describe.each(['cpu', 'wasm'] as const)('#18 training steps read nothing synchronously on %s', (backend) => {
  it('the guard itself catches a dataSync', async () => {
    await selectBackend(backend as BackendChoice)
    const t = tf.scalar(1)
    forbidSyncReads()
    expect(() => t.dataSync()).toThrow(forbidden)
    expect(() => t.arraySync()).toThrow(forbidden)
    vi.restoreAllMocks()
    expect(await t.data()).toEqual(new Float32Array([1]))
    t.dispose()
  })

  it.each(ALGORITHMS)('2D %s distillation steps and checkpoints', async (algorithm) => {
    await selectBackend(backend as BackendChoice)
    const teacher = randomTeacher()
    const distiller = new Distiller(
      parseDistillConfig({ batch: 16, steps: 10, numScales: 10, algorithm }),
      teacher,
      backend,
    )
    expect(await stepStrictly(distiller, 6)).toBe(6)
    distiller.dispose()
    teacher.weights.dispose()
  })

  it('2D teacher steps (with a weight EMA) and checkpoints', async () => {
    await selectBackend(backend as BackendChoice)
    const trainer = new TeacherTrainer(parseTeacherConfig({ ...SMALL_TEACHER, ema: 0.9 }), backend)
    expect(await stepStrictly(trainer, 6)).toBe(6)
    trainer.dispose()
  })

  it('U-Net teacher and CD (Heun) steps and checkpoints', async () => {
    await selectBackend(backend as BackendChoice)
    const data = tinyImageData()
    const trainer = new TeacherTrainer(parseTeacherConfig({ ...TINY_UNET_TEACHER, backend }), backend, undefined, data)
    expect(await stepStrictly(trainer, 2)).toBe(2)
    trainer.dispose()
    const teacher = await tinyUnetTeacher(data, backend)
    const distiller = new Distiller(tinyDistillConfig({ backend, solver: 'heun' }), teacher, backend, undefined, data)
    expect(await stepStrictly(distiller, 3)).toBe(3)
    distiller.dispose()
    teacher.weights.dispose()
  })
})
