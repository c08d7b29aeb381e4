/**
 * The in-process transport: an ApiClient over `createApi` in the same process (tests, tools, and the shape
 * the Electron IPC bridge mirrors). Payloads and results are structured-cloned, as IPC does, so a caller
 * never shares objects with the backend.
 */
import type { ApiClient, ApiEvent, ApiMethod, ApiPayload, ApiResponses, ApiResult } from '@shared/ipc/api'
import type { Api } from './handlers'

export function createInProcessClient(api: Api): ApiClient {
  return {
    async call<M extends ApiMethod>(method: M, payload?: ApiPayload<M>): Promise<ApiResult<ApiResponses[M]>> {
      let input: unknown
      try {
        input = payload === undefined ? undefined : structuredClone(payload)
      } catch (error) {
        return {
          ok: false,
          error: {
            code: 'INVALID_PAYLOAD',
            message: `the payload cannot be sent: ${(error as Error).message}`,
            field: 'payload',
          },
        }
      }
      const result = await api.call(method, input)
      return structuredClone(result) as ApiResult<ApiResponses[M]>
    },
    subscribe(listener: (event: ApiEvent) => void): () => void {
      return api.subscribe((event) => listener(structuredClone(event)))
    },
  }
}
