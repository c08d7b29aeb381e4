import type { ApiClient, ApiEvent, ApiMethod, ApiPayload, ApiResponses, ApiResult } from '@shared/ipc/api'
import type { LastMetric, RunStatus } from '@shared/store/types'
import type { RunRow } from '../../../src-renderer/lib/runs-table'

/** A listed distill run; `config` fields and metrics override the defaults. */
export function makeRow(id: string, over: Partial<RunRow> = {}, config: Record<string, unknown> = {}): RunRow {
  return {
    id,
    kind: 'distill',
    status: 'finished' as RunStatus,
    teacherId: null,
    parentRunId: null,
    parentKind: null,
    parentStep: null,
    backend: 'wasm',
    appVersion: '0.1.0',
    seed: 0,
    createdAt: 1_000,
    startedAt: 1_000,
    finishedAt: 61_000,
    error: null,
    notes: '',
    tags: [],
    lastMetrics: {},
    config: { dataset: 'moons', algorithm: 'cd', numScales: 18, targetEma: 0, lr: 1e-3, loss: 'l2', solver: 'heun', steps: 3000, backend: 'auto', ...config },
    ...over,
  }
}

export const metric = (value: number, step = 100): LastMetric => ({ value, step })

type Handler = (payload: unknown) => unknown

/**
 * A fake ApiClient: per-method handlers (a thrown ApiError-like `{ code, message }` object becomes an
 * `{ ok: false }` result), a log of every call, and `emit` to push events to subscribers.
 */
export function fakeApi(handlers: Partial<Record<ApiMethod, Handler>>) {
  const calls: Array<{ method: ApiMethod; payload: unknown }> = []
  const listeners = new Set<(e: ApiEvent) => void>()
  const api: ApiClient = {
    async call<M extends ApiMethod>(method: M, payload?: ApiPayload<M>): Promise<ApiResult<ApiResponses[M]>> {
      calls.push({ method, payload })
      const handler = handlers[method]
      if (!handler) return { ok: false, error: { code: 'UNKNOWN_METHOD', message: `fake has no ${method}` } }
      try {
        return { ok: true, value: (await handler(payload)) as ApiResponses[M] }
      } catch (error) {
        const e = error as { code?: string; message?: string; field?: string; problems?: unknown }
        if (typeof e.code === 'string') return { ok: false, error: e as never }
        throw error
      }
    },
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  }
  return {
    api,
    calls,
    callsOf: (method: ApiMethod) => calls.filter((c) => c.method === method).map((c) => c.payload),
    emit: (event: ApiEvent) => listeners.forEach((l) => l(event)),
    listenerCount: () => listeners.size,
  }
}
