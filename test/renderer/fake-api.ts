/**
 * The renderer tests' fake ApiClient: canned handlers per method (replaceable while a test runs), a log of
 * every call, and pushed events. A handler answers with an API error by throwing a FakeFailure, or any
 * object with a string `code` (an ApiError as data); other throws are test bugs and propagate.
 */
import type { ApiClient, ApiError, ApiEvent, ApiMethod, ApiResult } from '@shared/ipc/api'
import type { Run } from '@shared/store/types'

/** A run record as `runs.get` returns it: a finished distillation of run 'r1' unless overridden. */
export function makeRun(over: Partial<Run> = {}): Run {
  return {
    id: 'r1',
    kind: 'distill',
    status: 'finished',
    teacherId: null,
    parentRunId: null,
    parentKind: null,
    parentStep: null,
    backend: 'wasm',
    appVersion: '0.1.0',
    seed: 0,
    createdAt: 0,
    startedAt: 0,
    finishedAt: 1,
    error: null,
    notes: '',
    tags: [],
    config: {},
    ...over,
  }
}

export type Handler = (payload: Record<string, unknown>) => unknown

/** Throw this from a handler to answer with an API error. */
export class FakeFailure extends Error {
  constructor(readonly error: ApiError) {
    super(error.message)
  }
}

export interface FakeCall {
  method: ApiMethod
  /** As sent (undefined for a call without a payload). */
  payload: Record<string, unknown> | undefined
}

export interface FakeApi extends ApiClient {
  /** The fake itself, for tests that pass `fake.api` to a state class. */
  readonly api: ApiClient
  handlers: Partial<Record<ApiMethod, Handler>>
  calls: FakeCall[]
  callsOf(method: ApiMethod): unknown[]
  emit(event: ApiEvent): void
  listenerCount(): number
}

function asApiError(thrown: unknown): ApiError | null {
  if (thrown instanceof FakeFailure) return thrown.error
  const e = thrown as { code?: unknown } | null
  return e !== null && typeof e === 'object' && typeof e.code === 'string' ? (e as ApiError) : null
}

export function fakeApi(handlers: Partial<Record<ApiMethod, Handler>> = {}): FakeApi {
  const listeners = new Set<(event: ApiEvent) => void>()
  const calls: FakeCall[] = []
  const fake: FakeApi = {
    get api() {
      return fake
    },
    handlers,
    calls,
    callsOf: (method) => calls.filter((c) => c.method === method).map((c) => c.payload),
    async call(method, payload) {
      const p = payload as Record<string, unknown> | undefined
      calls.push({ method, payload: p })
      const handler = fake.handlers[method]
      if (!handler)
        return { ok: false, error: { code: 'UNKNOWN_METHOD', message: `no fake for ${method}` } } as ApiResult<never>
      try {
        return { ok: true, value: await handler(p ?? {}) } as ApiResult<never>
      } catch (error) {
        const apiError = asApiError(error)
        if (apiError) return { ok: false, error: apiError } as ApiResult<never>
        throw error
      }
    },
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    emit(event) {
      for (const listener of listeners) listener(event)
    },
    listenerCount: () => listeners.size,
  }
  return fake
}

/** Lets pending promise callbacks run. */
export async function settle(rounds = 10): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.resolve()
  await new Promise((resolve) => setTimeout(resolve, 0))
}
