/**
 * The API handlers, transport-independent: `createApi(service, store, dataDir)` validates each payload
 * with the contract's zod schema, runs one function per method against the RunService and the store, and
 * turns every failure into data (`{ ok: false, error: { code, message, field? } }`). The in-process
 * transport, Electron IPC and the `clab serve` WebSocket all sit on top of this.
 */
import { resolve } from 'node:path'
import type { z } from 'zod'
import { API_METHODS, API_SCHEMAS, type ApiError, type ApiEvent, type ApiMethod, type ApiResult } from '@shared/ipc/api'
import { ConfigError } from '@shared/config/validate'
import type { RunService } from '../services/run-service'
import { RunStateError } from '../services/run-service'
import { RunFolderError } from '../services/run-transfer'
import { DatasetOptionError } from '../services/dataset-service'
import { DatasetFileError } from '../data/errors'
import { StoreError, type LabStore } from '../store'
import { CheckpointError } from '../files/checkpoint-file'
import { TeacherFileError } from '../files/teacher-file'
import { ApiFailure } from './failure'
import type { ApiOptions, HandlerContext, Handlers } from './handler-context'
import { datasetHandlers } from './dataset-handlers'
import { runHandlers } from './run-handlers'
import { sampleHandlers } from './sample-handlers'
import { systemHandlers } from './system-handlers'
import { teacherHandlers } from './teacher-handlers'
import { cleanStaleUploads } from './uploads'

export { UPLOADS_FOLDER, writeUpload } from './uploads'

export { ApiFailure } from './failure'
export { insideDataDir } from './paths'
export { backendCandidates } from './system-handlers'
export type { ApiOptions } from './handler-context'

export interface Api {
  /** Never rejects: every outcome is an ApiResult. */
  call(method: string, payload?: unknown): Promise<ApiResult<unknown>>
  subscribe(listener: (event: ApiEvent) => void): () => void
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
  const context: HandlerContext = { service, store, root, options, requireRun: (id) => service.get(id) }
  const handlers: Handlers = {
    ...runHandlers(context),
    ...sampleHandlers(context),
    ...datasetHandlers(context),
    ...teacherHandlers(context),
    ...systemHandlers(context),
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
