/**
 * The Electron IPC channel names of the typed API (src-shared/ipc/api.ts), shared by the main-side
 * registration (./register.ts) and the sandboxed preload. This file imports types only: a sandboxed
 * preload cannot require npm packages, and importing `API_METHODS` from api.ts would bundle zod into it.
 * The list below is checked against the contract twice: at compile time (`_exhaustive` fails to compile if
 * a method is missing; `satisfies` if one is unknown) and at run time by test/ipc/policy.test.ts.
 */
import type { ApiEvent, ApiMethod, ApiPayload, ApiResponses, ApiResult } from '@shared/ipc/api'

export const API_METHOD_NAMES = [
  'runs.list',
  'runs.get',
  'runs.start',
  'runs.startTeacher',
  'runs.sweep',
  'runs.pause',
  'runs.resume',
  'runs.cancel',
  'runs.branch',
  'runs.delete',
  'runs.tag',
  'runs.untag',
  'runs.annotate',
  'runs.rename',
  'runs.evaluations',
  'runs.export',
  'runs.import',
  'metrics.list',
  'metrics.downsampled',
  'metrics.series',
  'samples.list',
  'samples.points',
  'samples.png',
  'datasets.list',
  'datasets.preview',
  'datasets.upload',
  'datasets.import',
  'teachers.list',
  'teachers.import',
  'teachers.export',
  'teachers.measure',
  'config.defaults',
  'config.presets',
  'config.validate',
  'system.info',
] as const satisfies readonly ApiMethod[]

type MissingMethod = Exclude<ApiMethod, (typeof API_METHOD_NAMES)[number]>
/** Compile-time check: does not type-check while a method of the contract is missing above. */
const _exhaustive: [MissingMethod] extends [never] ? true : MissingMethod = true
void _exhaustive

/** The invoke channel of one method: `api:<method>`. */
export const apiChannel = (method: ApiMethod): `api:${ApiMethod}` => `api:${method}`

/** Main → renderer: a batch of events (`ApiEvent[]`), sent with webContents.send. */
export const API_EVENT_CHANNEL = 'api:event'

/**
 * What the preload exposes as `window.api`: one function per method (same name as the method, e.g.
 * `api['runs.start'](payload)`), plus `onEvent`. Every function resolves to an ApiResult, never rejects
 * with an API error.
 */
export type DesktopBridge = {
  readonly [M in ApiMethod]: (payload?: ApiPayload<M>) => Promise<ApiResult<ApiResponses[M]>>
} & {
  /** Calls `listener` for each event; returns the unsubscribe function. */
  readonly onEvent: (listener: (event: ApiEvent) => void) => () => void
}
