/**
 * What the per-area handler modules share: the Handlers table's type, a slice of it by method prefix, and the
 * context createApi builds once (the service, the store, the resolved data folder).
 */
import type { ApiMethod, ApiParsed, ApiResponses } from '@shared/ipc/api'
import type { RunService } from '../services/run-service'
import type { LabStore } from '../store'

export type Handlers = { [M in ApiMethod]: (payload: ApiParsed<M>) => ApiResponses[M] | Promise<ApiResponses[M]> }

/** The handlers of the methods named `<area>.…`; createApi joins one slice per area into the whole table. */
export type HandlersOf<Area extends string> = Pick<Handlers, Extract<ApiMethod, `${Area}.${string}`>>

export interface ApiOptions {
  appVersion?: string
}

export interface HandlerContext {
  service: RunService
  store: LabStore
  /** The data folder, resolved: every path a request names must lie inside it. */
  root: string
  options: ApiOptions
  /** Through the service: a run whose engine is gone reads as ended even where the row could not be updated. */
  requireRun: (id: string) => ReturnType<RunService['get']>
}
