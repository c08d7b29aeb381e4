/**
 * The security policy of the desktop app as pure functions (no electron import, so test/ipc runs them
 * under plain Node): which page may call the API, which channels exist, where a window may navigate, which
 * links open outside, and the Content-Security-Policy of the app's pages. register.ts and
 * src-main/app/main.ts only wire these into Electron.
 */
import type { ApiError, ApiEvent, ApiMethod, ApiResult } from '@shared/ipc/api'
import { API_METHOD_NAMES, apiChannel } from './channels'

/** The app's own origin: the built renderer is served as `app://consistency-lab/…` (src-main/app/protocol.ts). */
export const APP_SCHEME = 'app'
export const APP_HOST = 'consistency-lab'
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`

/**
 * The Content-Security-Policy header of every page the app serves (`img-src blob:` for sample PNGs).
 * `object-src 'none'` and `base-uri 'none'` are spelled out because `default-src` does not cover
 * `base-uri`, and CSP evaluators (electronegativity's) want `object-src` explicit.
 * src-main/app/protocol-files.ts repeats it as a literal (so electronegativity can read it); a test checks
 * the two are equal.
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' blob: data:; connect-src 'self'; object-src 'none'; base-uri 'none'"

/**
 * An origin a page may be served from, compared by scheme + host + port. URL.origin is not used: for a
 * non-special scheme such as `app:` Node's URL parser reports the origin "null".
 */
export interface TrustedOrigin {
  protocol: string
  host: string
}

export const APP_TRUSTED_ORIGIN: TrustedOrigin = { protocol: `${APP_SCHEME}:`, host: APP_HOST }

/**
 * The trusted origins: the app protocol, plus — only when given, i.e. in `electron-vite dev` (unpackaged,
 * ELECTRON_RENDERER_URL set) — the dev server's http(s) origin.
 */
export function trustedOrigins(devServerUrl?: string): TrustedOrigin[] {
  const origins = [APP_TRUSTED_ORIGIN]
  const dev = devServerUrl ? parseUrl(devServerUrl) : null
  if (dev && (dev.protocol === 'http:' || dev.protocol === 'https:'))
    origins.push({ protocol: dev.protocol, host: dev.host })
  return origins
}

function parseUrl(url: string): URL | null {
  try {
    return new URL(url)
  } catch {
    return null
  }
}

/** Whether `url` (a frame's or a navigation target's URL) belongs to one of `origins`. */
export function isTrustedUrl(
  url: string | null | undefined,
  origins: readonly TrustedOrigin[] = [APP_TRUSTED_ORIGIN],
): boolean {
  if (typeof url !== 'string' || url === '') return false
  const parsed = parseUrl(url)
  if (!parsed) return false
  // `app://user:pass@consistency-lab/` parses with the same host; a credential has no business here.
  if (parsed.username !== '' || parsed.password !== '') return false
  return origins.some((o) => o.protocol === parsed.protocol && o.host === parsed.host)
}

/** The part of Electron's IpcMainInvokeEvent the sender check reads. */
export interface SenderLike {
  senderFrame?: { url: string } | null
}

/**
 * Electron security checklist item 17: every IPC message is checked against the URL of the frame that
 * sent it. A destroyed or navigated-away frame (`senderFrame` null) is refused.
 */
export function isTrustedSender(event: SenderLike, origins: readonly TrustedOrigin[] = [APP_TRUSTED_ORIGIN]): boolean {
  let url: string | undefined
  try {
    url = event.senderFrame?.url
  } catch {
    // Reading a frame that is being destroyed can throw; that sender is not trusted.
    return false
  }
  return isTrustedUrl(url, origins)
}

export function unauthorized(url?: string | null): ApiResult<never> {
  const error: ApiError = {
    code: 'UNAUTHORIZED',
    message: `the API may only be called from the app's own pages (${APP_ORIGIN}); refused a call from ${url ? describeUrl(url) : 'an unknown frame'}`,
  }
  return { ok: false, error }
}

/** Scheme and host only: a refused page's full URL could carry anything. */
function describeUrl(url: string): string {
  const parsed = parseUrl(url)
  return parsed ? `${parsed.protocol}//${parsed.host}` : 'an unparsable URL'
}

/** One row per API method: the ipcMain.handle channel and the method it calls. */
export interface ChannelRow {
  channel: `api:${ApiMethod}`
  method: ApiMethod
}

export function channelTable(): ChannelRow[] {
  return API_METHOD_NAMES.map((method) => ({ channel: apiChannel(method), method }))
}

/**
 * Links the renderer asks to open in a new window: only plain https URLs go to the system browser (no
 * credentials, no other scheme — `file:`, `javascript:`, `smb:`, custom handlers are refused).
 */
export function isSafeExternalUrl(url: string): boolean {
  const parsed = parseUrl(url)
  if (!parsed) return false
  return parsed.protocol === 'https:' && parsed.hostname !== '' && parsed.username === '' && parsed.password === ''
}

/**
 * Collects events and hands them over in batches: at most one `flush` per `intervalMs`. The RunService
 * already throttles metrics to <= 10 updates per second per run; batching here bounds the number of IPC
 * messages per window whatever the number of runs.
 */
export class EventBatcher {
  private pending: ApiEvent[] = []
  private timer: ReturnType<typeof setTimeout> | null = null
  private closed = false

  constructor(
    private readonly flush: (events: ApiEvent[]) => void,
    private readonly intervalMs = 50,
  ) {}

  push(event: ApiEvent): void {
    if (this.closed) return
    this.pending.push(event)
    this.timer ??= setTimeout(() => this.flushNow(), this.intervalMs)
  }

  flushNow(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    if (this.pending.length === 0) return
    const batch = this.pending
    this.pending = []
    this.flush(batch)
  }

  /** Flushes what is pending and accepts nothing more. */
  close(): void {
    this.flushNow()
    this.closed = true
  }
}

/** The part of createApi()'s result an invoke handler uses. */
export interface ApiCaller {
  call(method: string, payload?: unknown): Promise<ApiResult<unknown>>
}

/**
 * The body of `ipcMain.handle('api:<method>', …)`: refuses untrusted senders with UNAUTHORIZED (as data),
 * and passes the payload untouched to the API, which validates it with the contract's zod schema and never
 * throws.
 */
export function invokeHandler(
  api: ApiCaller,
  method: ApiMethod,
  origins: readonly TrustedOrigin[] = [APP_TRUSTED_ORIGIN],
) {
  return async (event: SenderLike, payload?: unknown): Promise<ApiResult<unknown>> => {
    if (!isTrustedSender(event, origins)) {
      let url: string | undefined
      try {
        url = event.senderFrame?.url
      } catch {
        url = undefined
      }
      return unauthorized(url)
    }
    return api.call(method, payload)
  }
}
