/**
 * The one place the renderer reaches the app. In the desktop app the preload has put `window.api` there
 * (one function per method, src-main/preload); in a browser served by `clab serve` there is no preload, so
 * the same ApiClient is built over the page's WebSocket (`/api?token=…`). Everything else in the renderer
 * calls `getApi()` and sees only the ApiClient interface of src-shared/ipc/api.ts.
 *
 * Once the socket URL has taken the page's `?token=`, the token leaves the address bar (history, screen
 * shares, bookmarks): the page load has set the lab's cookie, which authorizes reloads and, should the
 * page have no token at all (a `--open` launch link), the WebSocket upgrade too.
 */
import type { ApiClient, ApiEvent, ApiMethod, ApiPayload, ApiResponses, ApiResult } from '@shared/ipc/api'
import { apiSocketUrl, connectWsClient } from '@shared/ipc/ws-client'

/** What the desktop preload exposes (src-main/ipc/channels.ts DesktopBridge, derived from the same contract). */
export type DesktopBridge = {
  readonly [M in ApiMethod]: (payload?: ApiPayload<M>) => Promise<ApiResult<ApiResponses[M]>>
} & {
  readonly onEvent: (listener: (event: ApiEvent) => void) => () => void
}

/** The globals the selection reads (typed here, so this module needs no DOM typings). */
export interface ApiHostGlobals {
  api?: DesktopBridge
  location?: { href: string }
  history?: { readonly state: unknown; replaceState(data: unknown, unused: string, url?: string): void }
}

/** An ApiClient over the preload bridge. */
export function bridgeClient(bridge: DesktopBridge): ApiClient {
  return {
    call<M extends ApiMethod>(method: M, payload?: ApiPayload<M>): Promise<ApiResult<ApiResponses[M]>> {
      const fn = bridge[method] as ((payload?: ApiPayload<M>) => Promise<ApiResult<ApiResponses[M]>>) | undefined
      if (typeof fn !== 'function')
        return Promise.resolve({
          ok: false,
          error: { code: 'UNKNOWN_METHOD', message: `unknown method ${String(method)}` },
        })
      return fn(payload)
    },
    subscribe: (listener) => bridge.onEvent(listener),
  }
}

/** Picks the transport: the preload bridge when present, else the `clab serve` WebSocket of this page. */
export function selectApi(
  globals: ApiHostGlobals,
  connect: (url: string) => Promise<ApiClient> = connectWsClient,
): Promise<ApiClient> {
  if (globals.api && typeof globals.api.onEvent === 'function') return Promise.resolve(bridgeClient(globals.api))
  if (!globals.location)
    return Promise.reject(
      new Error('no window.api (desktop app) and no page URL (clab serve): cannot reach the backend'),
    )
  return connect(apiSocketUrl(globals.location.href))
}

/** Replaces the page's URL by the same URL without `token` (no navigation, no new history entry). */
export function forgetPageToken(globals: ApiHostGlobals): void {
  if (!globals.location || !globals.history) return
  let url: URL
  try {
    url = new URL(globals.location.href)
  } catch {
    return
  }
  if (!url.searchParams.has('token')) return
  url.searchParams.delete('token')
  try {
    globals.history.replaceState(globals.history.state, '', url.toString())
  } catch {
    // A page that cannot rewrite its URL still works; the token just stays visible.
  }
}

let client: Promise<ApiClient> | null = null

/** The app's ApiClient (created once); the socket URL keeps the token, the address bar loses it. */
export function getApi(): Promise<ApiClient> {
  if (!client) {
    const globals = globalThis as unknown as ApiHostGlobals
    client = selectApi(globals)
    forgetPageToken(globals)
  }
  return client
}

/** A failed call as an exception (for state classes that prefer try/catch); keeps the error's data. */
export class ApiCallError extends Error {
  constructor(readonly error: import('@shared/ipc/api').ApiError) {
    super(error.message)
    this.name = 'ApiCallError'
  }
}

/** Calls `method` on `api` and returns the value, or throws ApiCallError with the error as data. */
export async function callOn<M extends ApiMethod>(
  api: ApiClient,
  method: M,
  payload?: ApiPayload<M>,
): Promise<ApiResponses[M]> {
  const result = await api.call(method, payload)
  if (!result.ok) throw new ApiCallError(result.error)
  return result.value
}

/** `callOn` with the app's client. */
export async function call<M extends ApiMethod>(method: M, payload?: ApiPayload<M>): Promise<ApiResponses[M]> {
  return callOn(await getApi(), method, payload)
}
