/**
 * The API handlers, transport-independent: `createApi(service, store, dataDir)` validates each payload
 * with the contract's zod schema, runs one function per method against the RunService and the store, and
 * turns every failure into data (`{ ok: false, error: { code, message, field? } }`). The in-process
 * transport, Electron IPC and the `clab serve` WebSocket all sit on top of this.
 */
import { existsSync, lstatSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join, resolve } from 'node:path'
import type { z } from 'zod'
import {
  API_METHODS,
  API_SCHEMAS,
  type ApiError,
  type ApiEvent,
  type ApiMethod,
  type ApiParsed,
  type ApiResponses,
  type ApiResult,
  type BackendCandidate,
} from '@shared/ipc/api'
import { DISTILL_DEFAULTS, TEACHER_DEFAULTS } from '@shared/config/defaults'
import { PRESETS } from '@shared/config/presets'
import { ConfigError, parseDistillConfig, parseTeacherConfig } from '@shared/config/validate'
import { effectiveDistill } from '@shared/config/effective'
import type { RunService } from '../services/run-service'
import { APP_VERSION, RunStateError } from '../services/run-service'
import { exportRunFolder, importRunFolder, RunFolderError } from '../services/run-transfer'
import { DatasetOptionError, DatasetService } from '../services/dataset-service'
import { DatasetFileError } from '../data/errors'
import { readSamplePoints } from '../files/sample-points'
import { imageGridPng } from '../files/image-grid-png'
import { scatterPng } from '../files/scatter-png'
import { runPaths, StoreError, type LabStore } from '../store'
import { CheckpointError } from '../files/checkpoint-file'
import { TeacherFileError } from '../files/teachers'
import { ApiFailure } from './failure'
import { apiExportTarget, insideDataDir, pathFailuresAsync } from './paths'
import type { SampleRecord } from '@shared/store/types'
import { MAX_SAMPLE_FILE_BYTES } from '@shared/store/run-file'
import { readRegularFileAsync, UnsafePathError } from '../files/safe-fs'
import { appendUploadChunk, cleanStaleUploads, removeStagedUploads, startUpload } from './uploads'

export { UPLOADS_FOLDER, writeUpload } from './uploads'

export { ApiFailure } from './failure'
export { insideDataDir } from './paths'

export interface Api {
  /** Never rejects: every outcome is an ApiResult. */
  call(method: string, payload?: unknown): Promise<ApiResult<unknown>>
  subscribe(listener: (event: ApiEvent) => void): () => void
}

type Handlers = { [M in ApiMethod]: (payload: ApiParsed<M>) => ApiResponses[M] | Promise<ApiResponses[M]> }

export interface ApiOptions {
  appVersion?: string
}

export function createApi(
  service: RunService,
  store: LabStore,
  dataDir: string = store.paths.root,
  options: ApiOptions = {},
): Api {
  const root = resolve(dataDir)
  // Uploads abandoned a day ago or more (their import never came) go now; this never throws.
  cleanStaleUploads(root)
  const runs = () => store.runs
  // Through the service: a run whose engine is gone reads as ended even where the row could not be updated.
  const requireRun = (id: string) => service.get(id)
  const datasets = new DatasetService(store)
  const requireSample = (id: number) => {
    const sample = store.samples.findSample(id)
    if (!sample) throw new ApiFailure('NOT_FOUND', `no sample with id ${id}`, 'id')
    return sample
  }

  const handlers: Handlers = {
    'runs.list': (p) => {
      const wanted = p?.status === undefined ? null : ([] as string[]).concat(p.status)
      // A run held as ended (its end not yet written) is listed as it really is, and filtered so.
      return runs()
        .listRuns(p ?? {})
        .map((run) => service.present(run))
        .filter((run) => wanted === null || wanted.includes(run.status))
    },
    'runs.get': (p) => requireRun(p.id),
    'runs.start': (p) => {
      let base: Record<string, unknown> = {}
      if (p.preset !== undefined) {
        // Own keys only: `__proto__`, `constructor` or `toString` would otherwise find Object.prototype's
        // members, and a run would be queued from whatever they hold.
        const preset = Object.hasOwn(PRESETS, p.preset)
          ? (PRESETS as Record<string, { values: Record<string, unknown> }>)[p.preset]
          : undefined
        if (!preset)
          throw new ApiFailure(
            'INVALID_PAYLOAD',
            `unknown preset ${JSON.stringify(p.preset)}; expected one of ${Object.keys(PRESETS).join(', ')}`,
            'preset',
          )
        base = preset.values
      }
      return service.startDistill(
        { ...base, ...p.config },
        { tags: p.tags, notes: p.notes, teacherScope: 'data-folder' },
      )
    },
    'runs.startTeacher': (p) =>
      service.startTeacher(p.config, {
        tags: p.tags,
        notes: p.notes,
        ...(p.evalSamples !== undefined ? { evalSamples: p.evalSamples } : {}),
        ...(p.sampleEvery !== undefined ? { sampleEvery: p.sampleEvery } : {}),
      }),
    'runs.sweep': (p) => service.sweep(p.base, p.grid, { tags: p.tags, notes: p.notes, teacherScope: 'data-folder' }),
    'runs.pause': (p) => {
      service.pause(p.id)
      return requireRun(p.id)
    },
    'runs.resume': (p) =>
      service.resume(p.id, p.steps !== undefined ? { steps: p.steps } : {}, { teacherScope: 'data-folder' }),
    'runs.cancel': (p) => service.cancel(p.id),
    'runs.branch': (p) =>
      service.branch(p.id, p.overrides, { tags: p.tags, notes: p.notes, teacherScope: 'data-folder' }),
    'runs.delete': async (p) => {
      await service.delete(p.id)
      return { id: p.id }
    },
    'runs.tag': (p) => ({ id: p.id, tags: service.tag(p.id, p.tags) }),
    'runs.untag': (p) => ({ id: p.id, tags: service.untag(p.id, p.tags) }),
    'runs.annotate': (p) => {
      service.annotate(p.id, p.notes)
      return requireRun(p.id)
    },
    'runs.evaluations': (p) => {
      requireRun(p.id)
      return store.evaluations.listEvaluations(p.id, {
        ...(p.metric !== undefined ? { metric: p.metric } : {}),
        ...(p.model !== undefined ? { model: p.model } : {}),
      })
    },
    'runs.export': async (p) => {
      requireRun(p.id)
      const folder = apiExportTarget(root, p.path)
      return { folder, files: await pathFailuresAsync('path', () => exportRunFolder(store, p.id, folder)) }
    },
    'runs.import': async (p) => {
      const folder = insideDataDir(root, p.path, 'path')
      if (!lstatSync(folder, { throwIfNoEntry: false }))
        throw new ApiFailure('NOT_FOUND', `${folder} does not exist`, 'path')
      try {
        return await importRunFolder(store, folder, { teacherScope: 'data-folder' })
      } catch (error) {
        if (error instanceof RunFolderError) throw new ApiFailure('RUN_FOLDER', error.message, 'path')
        throw error
      }
    },
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
    'datasets.list': (p) => datasets.list(p?.kind),
    'datasets.preview': (p) => {
      const dataset = datasets.find(p.id)
      if (!dataset) throw new ApiFailure('NOT_FOUND', `no dataset ${p.id}`, 'id')
      const reader = datasets.open(dataset.id)
      try {
        const count = Math.min(p.count ?? 32, reader.count)
        const png = imageGridPng(reader.range(0, count).images, reader, { columns: 8, scale: p.scale ?? 2 })
        return {
          datasetId: dataset.id,
          mime: 'image/png' as const,
          bytes: new Uint8Array(png.buffer, png.byteOffset, png.byteLength),
          count,
        }
      } finally {
        reader.close()
      }
    },
    'datasets.upload': (p) =>
      p.to !== undefined ? appendUploadChunk(root, p.to, p.offset ?? 0, p.bytes) : startUpload(root, p.name, p.bytes),
    'datasets.import': async (p) => {
      const files = p.paths.map((file, i) => {
        const inside = insideDataDir(root, file, `paths.${i}`)
        if (!existsSync(inside)) throw new ApiFailure('NOT_FOUND', `${inside} does not exist`, `paths.${i}`)
        return inside
      })
      try {
        const result = await datasets.import(files, {
          ...(p.name !== undefined ? { name: p.name } : {}),
          ...(p.kind !== undefined ? { kind: p.kind } : {}),
        })
        return { datasets: result.datasets.map((d) => ({ dataset: d.dataset, created: d.created })) }
      } finally {
        removeStagedUploads(root, files)
      }
    },
    'teachers.list': (p) => service.teachers.list(p?.dataset),
    'teachers.import': (p) => {
      const file = insideDataDir(root, p.path, 'path')
      if (!lstatSync(file, { throwIfNoEntry: false }))
        throw new ApiFailure('NOT_FOUND', `${file} does not exist`, 'path')
      return pathFailuresAsync('path', () => service.teachers.import(file, p.name))
    },
    'teachers.export': async (p) => {
      service.teachers.get(p.id)
      const file = apiExportTarget(root, p.path)
      return { file: await pathFailuresAsync('path', () => service.teachers.export(p.id, file)) }
    },
    'config.defaults': () => ({ distill: DISTILL_DEFAULTS, teacher: TEACHER_DEFAULTS }),
    'config.presets': () => PRESETS,
    'config.validate': async (p) => {
      try {
        const config = p.kind === 'distill' ? parseDistillConfig(p.config) : parseTeacherConfig(p.config)
        // The checks runs.start makes beyond the config itself (teacher, grid top, image dataset): the form
        // never calls valid what launch would refuse.
        await service.checkLaunch(config, 'data-folder')
        if (p.kind === 'distill' && 'teacher' in config) {
          const { config: effective, differs } = effectiveDistill(config)
          return { valid: true, config, effective, overridden: differs, problems: [] }
        }
        return { valid: true, config, effective: config, overridden: [], problems: [] }
      } catch (error) {
        if (error instanceof ConfigError)
          return { valid: false, config: null, effective: null, overridden: [], problems: error.problems }
        throw error
      }
    },
    'system.info': () => ({
      appVersion: options.appVersion ?? APP_VERSION,
      dataDir: root,
      backends: backendCandidates(),
      platform: process.platform,
      arch: process.arch,
      nodeVersion: process.versions.node,
    }),
  }

  return {
    async call(method, payload) {
      if (typeof method !== 'string' || !Object.hasOwn(API_SCHEMAS, method)) {
        const named =
          typeof method === 'string'
            ? `unknown method ${JSON.stringify(clip(method))}`
            : `the method must be a name (a string), not ${describe(method)}`
        return fail({
          code: 'UNKNOWN_METHOD',
          message: `${named}; expected one of ${API_METHODS.join(', ')}`,
          field: 'method',
        })
      }
      const m = method as ApiMethod
      // Every payload is an object of named fields, or nothing; zod would read bytes as fields "0", "1", ….
      if (payload !== undefined && !isPlainObject(payload)) {
        return fail({
          code: 'INVALID_PAYLOAD',
          message: `payload: expected an object of named fields, not ${describe(payload)}`,
          field: 'payload',
        })
      }
      // zod drops a `__proto__` key of a record (config, grid) without a word, so the request would quietly
      // mean something else (a grid without that axis queues the base config); refuse it instead.
      const hidden = prototypeKeyPath(payload)
      if (hidden)
        return fail({ code: 'INVALID_PAYLOAD', message: `${hidden}: "__proto__" is not a field`, field: hidden })
      let parsed: ReturnType<z.ZodType['safeParse']>
      try {
        parsed = (API_SCHEMAS[m] as z.ZodType).safeParse(payload)
      } catch (error) {
        return fail({
          code: 'INVALID_PAYLOAD',
          message: `payload: cannot be read (${error instanceof Error ? error.message : String(error)})`,
          field: 'payload',
        })
      }
      if (!parsed.success) return fail(payloadError(parsed.error))
      try {
        const handler = handlers[m] as (p: unknown) => unknown
        return { ok: true, value: await handler(parsed.data) }
      } catch (error) {
        return fail(toApiError(error), subjectField(error, parsed.data))
      }
    },
    subscribe(listener) {
      return service.subscribe((update) => listener(update))
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

/** Every error names a field: the one at fault, else `fallback` (what the request is about, or `payload`). */
const fail = (error: ApiError, fallback = 'payload'): ApiResult<never> => ({
  ok: false,
  error: error.field ? error : { ...error, field: fallback },
})

/** A key or value echoed in a message or field, cut short: the caller's 1 MB key need not come back. */
function clip(text: string, max = 100): string {
  return text.length > max ? `${text.slice(0, max)}…` : text
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false
  const proto = Object.getPrototypeOf(value) as unknown
  return proto === Object.prototype || proto === null
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (ArrayBuffer.isView(value)) return 'bytes'
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`
}

function payloadError(error: z.ZodError): ApiError {
  const pathOf = (i: z.core.$ZodIssue) =>
    (i.code === 'unrecognized_keys' ? [...i.path, i.keys[0] ?? ''] : i.path).map((k) => clip(String(k))).join('.')
  const first = error.issues[0]
  // An empty path is the payload itself (null, a number, an array where an object belongs).
  const field = (first && pathOf(first)) || 'payload'
  const message = error.issues
    .slice(0, 10)
    .map((i) => {
      const at =
        i.code === 'unrecognized_keys'
          ? [...i.path, ...i.keys.slice(0, 10)].map((k) => clip(String(k))).join('.')
          : pathOf(i)
      return `${at || 'payload'}: ${i.code === 'unrecognized_keys' ? 'unknown field' : i.message}`
    })
    .join('; ')
  return { code: 'INVALID_PAYLOAD', message, field }
}

/** Codes about the lab as a whole rather than anything the request named. */
const UNFIELDED_CODES = new Set<ApiError['code']>([
  'INTERNAL',
  'DATABASE_BUSY',
  'STORAGE_FULL',
  'DATABASE_TOO_NEW',
  'DATABASE_UNREADABLE',
  'TRANSPORT',
  'UNAUTHORIZED',
])

/** For an error thrown without a field (a run not found, a run in the wrong state): the record the request names. */
function subjectField(error: unknown, payload: unknown): string {
  if (UNFIELDED_CODES.has(toApiError(error).code) || payload === null || typeof payload !== 'object') return 'payload'
  return ['id', 'runId', 'path', 'paths'].find((key) => Object.hasOwn(payload, key)) ?? 'payload'
}

/**
 * The path (`grid.__proto__`) of the first own `__proto__` key in a payload, if any. JSON.parse and
 * structured clone both keep such a key as a plain own property. The walk is bounded; deeper input is left
 * to the schema (and the transport's own limits).
 */
function prototypeKeyPath(payload: unknown): string | null {
  const stack: Array<{ value: unknown; path: string[] }> = [{ value: payload, path: [] }]
  for (let visited = 0; stack.length > 0 && visited < 100_000; visited++) {
    const { value, path } = stack.pop() as { value: unknown; path: string[] }
    if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) continue
    if (!Array.isArray(value) && Object.hasOwn(value, '__proto__')) return [...path, '__proto__'].join('.')
    const keys = Array.isArray(value) ? value.keys() : Object.keys(value)
    for (const key of keys) {
      const child: unknown = (value as Record<string | number, unknown>)[key]
      if (child !== null && typeof child === 'object') stack.push({ value: child, path: [...path, clip(String(key))] })
    }
  }
  return null
}

const STORE_CODES: Record<string, ApiError['code']> = {
  RUN_NOT_FOUND: 'NOT_FOUND',
  TEACHER_NOT_FOUND: 'NOT_FOUND',
  DATASET_NOT_FOUND: 'NOT_FOUND',
  INVALID_ID: 'INVALID_PAYLOAD',
  DATABASE_BUSY: 'DATABASE_BUSY',
  STORAGE_FULL: 'STORAGE_FULL',
  DATABASE_TOO_NEW: 'DATABASE_TOO_NEW',
  DATABASE_UNREADABLE: 'DATABASE_UNREADABLE',
  TEACHER_IN_USE: 'TEACHER_IN_USE',
  STORE_INPUT: 'STORE_INPUT',
}

/** Maps a thrown error to an API error; unknown errors become INTERNAL with their message. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiFailure)
    return { code: error.code, message: error.message, ...(error.field ? { field: error.field } : {}) }
  if (error instanceof ConfigError) {
    const field = error.problems[0]?.field
    return { code: 'INVALID_CONFIG', message: error.message, ...(field ? { field } : {}), problems: error.problems }
  }
  if (error instanceof RunStateError) return { code: 'RUN_STATE', message: error.message }
  if (error instanceof RunFolderError) return { code: 'RUN_FOLDER', message: error.message }
  if (error instanceof CheckpointError || error instanceof TeacherFileError)
    return { code: 'INVALID_PAYLOAD', message: error.message, field: 'path' }
  if (error instanceof DatasetFileError) return { code: 'DATASET_FILE', message: error.message, field: 'paths' }
  if (error instanceof DatasetOptionError)
    return { code: 'INVALID_PAYLOAD', message: error.message, field: error.field }
  if (error instanceof StoreError) {
    const code = STORE_CODES[error.code] ?? 'INTERNAL'
    return { code, message: error.message, ...(error.code === 'INVALID_ID' ? { field: 'id' } : {}) }
  }
  return { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) }
}

const BACKEND_PACKAGES: Array<[BackendCandidate['name'], string]> = [
  ['node-gpu', '@tensorflow/tfjs-node-gpu'],
  ['node', '@tensorflow/tfjs-node'],
  ['wasm', '@tensorflow/tfjs-backend-wasm'],
  ['cpu', '@tensorflow/tfjs-backend-cpu'],
]

/** The compute backends `auto` tries, in order, and whether each package is installed (not loaded). */
export function backendCandidates(): BackendCandidate[] {
  const require = createRequire(import.meta.url)
  return BACKEND_PACKAGES.map(([name, pkg]) => {
    let installed: boolean
    try {
      require.resolve(pkg)
      installed = true
    } catch {
      installed = false
    }
    return { name, package: pkg, installed }
  })
}
