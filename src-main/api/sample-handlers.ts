/** The `metrics.*` and `samples.*` handlers: a run's metric series, its samples, and samples drawn as PNG. */
import { join } from 'node:path'
import type { SampleRecord } from '@shared/store/types'
import { MAX_SAMPLE_FILE_BYTES } from '@shared/store/run-file'
import { readSamplePoints } from '../files/sample-points'
import { scatterPng } from '../files/scatter-png'
import { readRegularFileAsync, UnsafePathError } from '../files/safe-fs'
import { runPaths } from '../store'
import { ApiFailure } from './failure'
import type { HandlerContext, HandlersOf } from './handler-context'

export function sampleHandlers({ store, root, requireRun }: HandlerContext): HandlersOf<'metrics' | 'samples'> {
  const requireSample = (id: number) => {
    const sample = store.samples.findSample(id)
    if (!sample) throw new ApiFailure('NOT_FOUND', `no sample with id ${id}`, 'id')
    return sample
  }

  return {
    'metrics.list': (p) => {
      requireRun(p.runId)
      return store.metrics.listSeries(p.runId)
    },
    'metrics.downsampled': (p) => {
      requireRun(p.runId)
      return store.metrics.readDownsampled(p.runId, p.key, {
        buckets: p.buckets,
        fromStep: p.fromStep,
        toStep: p.toStep,
      })
    },
    'metrics.series': (p) => {
      requireRun(p.runId)
      return store.metrics.readSeries(p.runId, p.key, { fromStep: p.fromStep, toStep: p.toStep })
    },
    'samples.list': (p) => {
      requireRun(p.runId)
      const samples = store.samples.listSamples(p.runId, { ...(p.model !== undefined ? { model: p.model } : {}) })
      return p.nfe === undefined ? samples : samples.filter((s) => s.nfe === p.nfe)
    },
    'samples.points': (p) => {
      const sample = requireSample(p.id)
      const points = readSamplePoints(sample, runPaths(root, sample.runId).dir, (id) => store.samples.readBlob(id))
      return { sample, dim: 2, points: Array.from(points) }
    },
    'samples.png': async (p) => {
      const sample = requireSample(p.id)
      const runDir = runPaths(root, sample.runId).dir
      if (sample.kind === 'png') {
        if (!sample.path) throw new ApiFailure('NOT_FOUND', `sample ${sample.id} has no image file`, 'id')
        const bytes = await readSampleFile(sample, join(runDir, sample.path))
        return {
          sampleId: sample.id,
          mime: 'image/png' as const,
          bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength),
        }
      }
      const read = (s: SampleRecord) => readSamplePoints(s, runDir, (id) => store.samples.readBlob(id))
      // The held-out data of the same kind (preview or final) drawn faintly underneath.
      const dataSamples =
        p.withData === false || sample.model === 'data'
          ? []
          : store.samples.listSamples(sample.runId, { model: 'data' })
      const data = dataSamples.find((s) => s.kind === sample.kind) ?? dataSamples[0]
      const png = scatterPng(read(sample), { size: p.size ?? 320, background: data ? read(data) : null })
      return {
        sampleId: sample.id,
        mime: 'image/png' as const,
        bytes: new Uint8Array(png.buffer, png.byteOffset, png.byteLength),
      }
    },
  }
}

/**
 * A sample's file, read asynchronously and whole (it is answered as bytes): a regular file, not a link, at
 * most MAX_SAMPLE_FILE_BYTES, so one answer can neither hold the server nor outgrow what a message can carry.
 */
async function readSampleFile(sample: SampleRecord, path: string): Promise<Buffer> {
  try {
    return await readRegularFileAsync(path, MAX_SAMPLE_FILE_BYTES)
  } catch (error) {
    if (!(error instanceof UnsafePathError)) throw error
    if (error.reason === 'is missing')
      throw new ApiFailure('NOT_FOUND', `sample ${sample.id}: its file ${path} is missing`, 'id')
    throw new ApiFailure('RUN_FOLDER', `sample ${sample.id}: its file ${error.message}`, 'id')
  }
}
