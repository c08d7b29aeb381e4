/** A fake ApiClient for the state classes: canned handlers per method, recorded calls, pushed events. */
import type { ApiClient, ApiError, ApiEvent, ApiMethod, ApiResult } from '@shared/ipc/api'

export type Handler = (payload: unknown) => unknown

/** Throw this from a handler to answer with an API error. */
export class FakeFailure extends Error {
  constructor(readonly error: ApiError) {
    super(error.message)
  }
}

export interface FakeApi extends ApiClient {
  calls: Array<{ method: string; payload: unknown }>
  callsOf(method: ApiMethod): unknown[]
  emit(event: ApiEvent): void
  listenerCount(): number
  handlers: Partial<Record<ApiMethod, Handler>>
}

export function fakeApi(handlers: Partial<Record<ApiMethod, Handler>> = {}): FakeApi {
  const listeners = new Set<(event: ApiEvent) => void>()
  const calls: Array<{ method: string; payload: unknown }> = []
  const api: FakeApi = {
    handlers,
    calls,
    callsOf: (method) => calls.filter((c) => c.method === method).map((c) => c.payload),
    async call(method, payload) {
      calls.push({ method, payload })
      const handler = api.handlers[method]
      if (!handler) return { ok: false, error: { code: 'UNKNOWN_METHOD', message: `no fake for ${method}` } } as ApiResult<never>
      try {
        return { ok: true, value: await handler(payload) } as ApiResult<never>
      } catch (error) {
        if (error instanceof FakeFailure) return { ok: false, error: error.error } as ApiResult<never>
        throw error
      }
    },
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    emit(event) {
      for (const l of listeners) l(event)
    },
    listenerCount: () => listeners.size,
  }
  return api
}

/** Lets pending promise callbacks run. */
export async function settle(rounds = 10): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.resolve()
  await new Promise((resolve) => setTimeout(resolve, 0))
}
