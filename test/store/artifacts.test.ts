import { describe, expect, it } from 'vitest'
import { MAX_SAMPLE_BLOB_BYTES, StoreInputError } from '../../src-main/store'
import { newRun, tempStore } from './helpers'

describe('evaluations', () => {
  it('adds, replaces the same (step, metric, model, nfe) and lists with filters', () => {
    const store = tempStore()
    const run = newRun(store)
    store.evaluations.addEvaluations(run.id, [
      { step: 100, metric: 'swd', model: 'student', nfe: 1, value: 0.5 },
      { step: 100, metric: 'swd', model: 'student', nfe: 2, value: 0.4 },
      { step: 100, metric: 'swd', model: 'ema', nfe: 1, value: Number.NaN },
    ])
    store.evaluations.addEvaluations(run.id, [{ step: 100, metric: 'swd', model: 'student', nfe: 1, value: 0.45 }])
    const all = store.evaluations.listEvaluations(run.id)
    expect(all).toHaveLength(3)
    expect(all.find((e) => e.model === 'student' && e.nfe === 1)?.value).toBe(0.45)
    expect(all.find((e) => e.model === 'ema')?.value).toBeNaN()
    expect(store.evaluations.listEvaluations(run.id, { model: 'student' }).map((e) => e.nfe)).toEqual([1, 2])
    expect(() =>
      store.evaluations.addEvaluations(run.id, [{ step: -1, metric: 'swd', model: 'x', nfe: 1, value: 1 }]),
    ).toThrow(StoreInputError)
  })
})

describe('samples', () => {
  it('stores files by relative path or small blobs, with their noise seed and NFE', () => {
    const store = tempStore()
    const run = newRun(store)
    const file = store.samples.addSample(run.id, {
      step: 500,
      nfe: 1,
      kind: 'png',
      model: 'student',
      role: 'final',
      noiseSeed: 42,
      path: 'samples/step-500-nfe1.png',
    })
    const blob = store.samples.addSample(run.id, {
      step: 500,
      nfe: 2,
      kind: 'points2d',
      model: 'student',
      role: 'preview',
      noiseSeed: 42,
      data: new Float32Array([1, 2, 3, 4]).subarray(1) as unknown as Uint8Array,
    })
    expect(file).toMatchObject({
      path: 'samples/step-500-nfe1.png',
      hasBlob: false,
      bytes: null,
      noiseSeed: 42,
      nfe: 1,
      role: 'final',
    })
    expect(blob).toMatchObject({ path: null, hasBlob: true, bytes: 12, nfe: 2, role: 'preview' })
    const back = store.samples.readBlob(blob.id) as Uint8Array
    expect(Array.from(new Float32Array(back.slice().buffer))).toEqual([2, 3, 4])
    expect(store.samples.readBlob(file.id)).toBeUndefined()
    expect(store.samples.listSamples(run.id, { nfe: 2 }).map((s) => s.id)).toEqual([blob.id])
    expect(() =>
      store.samples.addSample(run.id, {
        step: 1,
        nfe: 1,
        kind: 'png',
        model: 'student',
        role: 'final',
        noiseSeed: 1,
        path: '../../etc/passwd',
      }),
    ).toThrow(StoreInputError)
    expect(() =>
      store.samples.addSample(run.id, {
        step: 1,
        nfe: 1,
        kind: 'png',
        model: 'student',
        role: 'final',
        noiseSeed: 1,
        path: '/abs.png',
      }),
    ).toThrow(StoreInputError)
    expect(() =>
      store.samples.addSample(run.id, { step: 1, nfe: 1, kind: 'png', model: 'student', role: 'final', noiseSeed: 1 }),
    ).toThrow(StoreInputError)
    expect(() =>
      store.samples.addSample(run.id, {
        step: 1,
        nfe: 1,
        kind: 'png',
        model: 'student',
        role: 'live' as never,
        noiseSeed: 1,
        path: 'samples/x.png',
      }),
    ).toThrow(/sample role must be one of preview, final \(got "live"\)/)
    expect(() =>
      store.samples.addSample(run.id, {
        step: 1,
        nfe: 1,
        kind: 'png',
        model: 'student',
        role: 'final',
        noiseSeed: 1,
        data: new Uint8Array(MAX_SAMPLE_BLOB_BYTES + 1),
      }),
    ).toThrow(/write it to runs/)
  })
})

describe('checkpoints', () => {
  it('records, replaces at the same step, lists and finds the latest', () => {
    const store = tempStore()
    const run = newRun(store)
    expect(store.checkpoints.latestCheckpoint(run.id)).toBeUndefined()
    store.checkpoints.addCheckpoint(run.id, { step: 100, path: 'checkpoints/step-100.ckpt', bytes: 1000 })
    store.checkpoints.addCheckpoint(run.id, { step: 200, path: 'checkpoints/step-200.ckpt', bytes: 1000 })
    const again = store.checkpoints.addCheckpoint(run.id, {
      step: 200,
      path: 'checkpoints/step-200b.ckpt',
      bytes: 1200,
    })
    expect(again).toMatchObject({ step: 200, path: 'checkpoints/step-200b.ckpt', bytes: 1200, runId: run.id })
    expect(store.checkpoints.listCheckpoints(run.id).map((c) => c.step)).toEqual([100, 200])
    expect(store.checkpoints.latestCheckpoint(run.id)?.path).toBe('checkpoints/step-200b.ckpt')
    expect(store.checkpoints.removeCheckpoint(run.id, 200)).toBe(true)
    expect(store.checkpoints.latestCheckpoint(run.id)?.step).toBe(100)
    expect(() => store.checkpoints.addCheckpoint(run.id, { step: 1, path: '/tmp/x', bytes: 1 })).toThrow(
      StoreInputError,
    )
  })
})
