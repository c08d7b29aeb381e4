/**
 * `clab serve`'s server: the built renderer (out/renderer) as static files and the API over a WebSocket
 * at `/api`, on loopback by default. Every HTTP request and WebSocket upgrade must name this server in its
 * Host header (else 421, see ./hosts) and needs the random token printed in the URL (`?token=…`; the page
 * load also sets it as a SameSite=Strict cookie named for the port, so the page's own assets load and the
 * page can drop the token from its address bar); anything else gets 401. Tokens are compared in constant
 * time. `launchUrl()` makes a one-time link for `--open` that carries no token (a command line is public).
 *
 * Wire format: `{ id, method, payload }` → `{ id, result }` with `result` an ApiResult; events are pushed
 * as `{ event, data }`. NaN and ±Infinity survive (see @shared/ipc/wire); uploads are binary (./socket).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { createReadStream, existsSync, realpathSync, statSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { isIP, type AddressInfo, type Socket } from 'node:net'
import { extname, isAbsolute, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { WebSocketServer } from 'ws'
import { API_WS_PATH } from '@shared/ipc/api'
import { MAX_BINARY_MESSAGE_BYTES } from '@shared/ipc/wire'
import type { Api } from '../api/handlers'
import { MIME, mimeType } from '../files/mime'
import { hostChecker } from './hosts'
import { serveSocket } from './socket'

export const DEFAULT_RENDERER_DIR = fileURLToPath(new URL('../../out/renderer', import.meta.url))
export const DEFAULT_PORT = 5178
/**
 * Largest WebSocket message ws accepts: a binary upload chunk. Text messages have a far smaller limit,
 * enforced per message in ./socket (ws has one limit for both).
 */
const MAX_MESSAGE_BYTES = MAX_BINARY_MESSAGE_BYTES
/** How long a launch link (`launchUrl()`) works, unused. */
const LAUNCH_TTL_MS = 120_000
/** Launch links outstanding at once; the oldest goes first. */
const MAX_LAUNCH_CODES = 8

export class ServeError extends Error {
  readonly code = 'SERVE'
  constructor(message: string) {
    super(message)
    this.name = 'ServeError'
  }
}

export interface ServeOptions {
  api: Api
  host?: string
  /** 0 picks a free port. */
  port?: number
  /** Required to bind anything but a loopback address. */
  allowRemote?: boolean
  rendererDir?: string
  /** Default: 32 random bytes, hex. */
  token?: string
  /** How long a launch link works (tests). */
  launchTtlMs?: number
}

export interface RunningServer {
  url: string
  host: string
  port: number
  token: string
  /** Whether out/renderer holds a built renderer (index.html). */
  rendererBuilt: boolean
  /** Set when bound to a non-loopback address. */
  warning: string | null
  /**
   * A one-time link without the token (`/?launch=<code>`, valid for two minutes) that sets the cookie and
   * redirects to the app: what `--open` hands to the browser, since a command line is visible in `ps`.
   */
  launchUrl(): string
  close(): Promise<void>
}

/** 127.0.0.0/8, ::1, ::ffff:127.x and `localhost`. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase()
  if (h === 'localhost') return true
  if (isIP(h) === 4) return h.startsWith('127.')
  if (isIP(h) === 6) return h === '::1' || /^::ffff:127\./.test(h) || /^0*:0*:0*:0*:0*:0*:0*:0*1$/.test(h)
  return false
}

/** Constant-time token check (hashing first makes the lengths equal). */
export function tokenMatches(expected: string, given: string | null | undefined): boolean {
  if (typeof given !== 'string' || given.length === 0) return false
  const a = createHash('sha256').update(expected).digest()
  const b = createHash('sha256').update(given).digest()
  return timingSafeEqual(a, b)
}

function cookieToken(req: IncomingMessage, name: string): string | null {
  const header = req.headers.cookie
  if (!header) return null
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim())
      } catch {
        return null
      }
    }
  }
  return null
}

function bearerToken(req: IncomingMessage): string | null {
  const header = req.headers.authorization
  return header?.startsWith('Bearer ') ? header.slice(7).trim() : null
}

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Consistency Lab: renderer not built</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 3em auto">
<h1>The Consistency Lab UI is not built yet</h1>
<p>Run <code>npm run build</code> in the project folder, then reload this page
(<code>clab serve</code> serves <code>out/renderer</code>). The API at <code>/api</code> works meanwhile.</p>
</body></html>
`

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1'
  const loopback = isLoopback(host)
  if (!loopback && !options.allowRemote) {
    throw new ServeError(
      `refusing to listen on ${host}: it is not a loopback address; pass --allow-remote to expose the lab to the network`,
    )
  }
  const token = options.token ?? randomBytes(32).toString('hex')
  const rendererDir = resolve(options.rendererDir ?? DEFAULT_RENDERER_DIR)
  const rendererBuilt = existsSync(join(rendererDir, 'index.html'))
  const realRendererDir = rendererBuilt ? realpathSync(rendererDir) : rendererDir
  const { api } = options
  // Both depend on the port, known once listening (before any request can arrive).
  let cookieName = ''
  let checkHost: (header: string | undefined) => string | null = () => 'not listening yet'
  /** Unused launch codes and when each stops working. */
  const launchCodes = new Map<string, number>()
  const launchTtlMs = options.launchTtlMs ?? LAUNCH_TTL_MS
  const redeemLaunch = (given: string): boolean => {
    const now = Date.now()
    let found: string | null = null
    for (const [code, expires] of launchCodes) {
      if (expires <= now) launchCodes.delete(code)
      else if (tokenMatches(code, given)) found = code
    }
    if (found === null) return false
    launchCodes.delete(found)
    return true
  }

  const authorized = (req: IncomingMessage, url: URL): boolean =>
    tokenMatches(token, url.searchParams.get('token')) ||
    tokenMatches(token, bearerToken(req)) ||
    tokenMatches(token, cookieToken(req, cookieName))

  const securityHeaders = {
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cache-Control': 'no-store',
  }

  const send = (
    res: ServerResponse,
    status: number,
    body: string,
    type = 'text/plain; charset=utf-8',
    extra: Record<string, string> = {},
  ) => {
    res.writeHead(status, {
      ...securityHeaders,
      ...extra,
      'Content-Type': type,
      'Content-Length': Buffer.byteLength(body),
    })
    res.end(body)
  }

  const setCookie = () => `${cookieName}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const misdirected = checkHost(req.headers.host)
    if (misdirected !== null) return send(res, 421, `misdirected request: ${misdirected}\n`)
    let url: URL
    try {
      url = new URL(req.url ?? '/', 'http://localhost')
    } catch {
      return send(res, 400, 'bad request\n')
    }
    const launch = url.searchParams.get('launch')
    if (launch !== null && req.method === 'GET') {
      if (!redeemLaunch(launch))
        return send(
          res,
          401,
          'unauthorized: this launch link was used already or has expired; open the URL printed by `clab serve` (it carries ?token=…)\n',
        )
      // 303 to the app without the code: the address bar never shows a secret, and a reload needs none.
      return send(res, 303, 'see /\n', undefined, { 'Set-Cookie': setCookie(), Location: '/' })
    }
    if (!authorized(req, url))
      return send(res, 401, 'unauthorized: open the URL printed by `clab serve` (it carries ?token=…)\n')
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed\n')
    const extra: Record<string, string> = {}
    if (tokenMatches(token, url.searchParams.get('token'))) extra['Set-Cookie'] = setCookie()
    const file = staticFile(realRendererDir, req.url ?? '/')
    if (file === 'forbidden') return send(res, 403, 'forbidden\n')
    if (!rendererBuilt) return send(res, 503, NOT_BUILT_PAGE, MIME['.html'], extra)
    const target = file ?? join(realRendererDir, 'index.html')
    const type = mimeType(target)
    let size: number
    try {
      const stat = statSync(target)
      if (!stat.isFile()) return send(res, 404, 'not found\n')
      size = stat.size
    } catch {
      return send(res, 404, 'not found\n')
    }
    res.writeHead(200, {
      ...securityHeaders,
      ...extra,
      'Content-Type': type,
      'Content-Length': size,
      ...(type === MIME['.html']
        ? {
            'Content-Security-Policy':
              "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' blob: data:; connect-src 'self'; object-src 'none'; base-uri 'none'",
          }
        : {}),
    })
    if (req.method === 'HEAD') return res.end()
    createReadStream(target).pipe(res)
  }

  const server: Server = createServer(onRequest)
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES })

  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const refuse = (status: number, text: string, body = '') => {
      const length = Buffer.byteLength(body)
      socket.end(
        `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${length}\r\n\r\n${body}`,
      )
      socket.once('finish', () => socket.destroy())
    }
    const misdirected = checkHost(req.headers.host)
    if (misdirected !== null) return refuse(421, 'Misdirected Request', `misdirected request: ${misdirected}\n`)
    let url: URL
    try {
      url = new URL(req.url ?? '/', 'http://localhost')
    } catch {
      return refuse(400, 'Bad Request')
    }
    if (!authorized(req, url)) return refuse(401, 'Unauthorized')
    if (url.pathname !== API_WS_PATH) return refuse(404, 'Not Found')
    // A page from another site must not drive the API (cross-site WebSocket hijacking).
    const origin = req.headers.origin
    if (origin !== undefined && req.headers.host !== undefined) {
      let originHost: string | null
      try {
        originHost = new URL(origin).host
      } catch {
        originHost = null
      }
      if (originHost !== req.headers.host) return refuse(403, 'Forbidden')
    }
    wss.handleUpgrade(req, socket, head, (ws) => serveSocket(ws, api))
  })

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        new ServeError(
          error.code === 'EADDRINUSE'
            ? `port ${options.port} on ${host} is in use; pick another with --port`
            : `cannot listen on ${host}:${options.port}: ${error.message}`,
        ),
      )
    })
    server.listen(options.port ?? DEFAULT_PORT, host, () => resolveListen())
  })
  const port = (server.address() as AddressInfo).port
  // Per port: cookies ignore ports, and another lab (or anything else) on another port of this host must
  // neither read nor overwrite this one.
  cookieName = `clab_token_${port}`
  checkHost = hostChecker(host, port)
  const urlHost = isIP(host) === 6 ? `[${host}]` : host
  const origin = `http://${urlHost}:${port}`
  const url = `${origin}/?token=${token}`

  return {
    url,
    host,
    port,
    token,
    rendererBuilt,
    warning: loopback
      ? null
      : `WARNING: listening on ${host}, reachable from other machines; anyone with the token can start, change and delete runs`,
    launchUrl() {
      const code = randomBytes(24).toString('hex')
      launchCodes.set(code, Date.now() + launchTtlMs)
      for (const old of launchCodes.keys()) if (launchCodes.size > MAX_LAUNCH_CODES) launchCodes.delete(old)
      return `${origin}/?launch=${code}`
    },
    async close() {
      for (const client of wss.clients) client.terminate()
      wss.close()
      server.closeAllConnections()
      await new Promise<void>((done) => server.close(() => done()))
    },
  }
}

/**
 * The file under `root` that a request path names, null for "not a file, serve index.html" (client-side
 * routes), or 'forbidden' for anything that tries to leave `root` (`..` segments, encoded or not,
 * backslashes, NUL) or names a dotfile.
 */
export function staticFile(root: string, rawUrl: string): string | null | 'forbidden' {
  const rawPath = rawUrl.split('?')[0]?.split('#')[0] ?? '/'
  let decoded: string
  try {
    decoded = decodeURIComponent(rawPath)
  } catch {
    return 'forbidden'
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return 'forbidden'
  const segments = decoded.split('/')
  if (segments.some((s) => s === '..' || s === '.' || (s.startsWith('.') && s.length > 1))) return 'forbidden'
  const rel = segments.filter((s) => s !== '').join('/')
  if (rel === '') return join(root, 'index.html')
  const target = resolve(root, rel)
  const inside = relative(root, target)
  if (inside === '' || inside.startsWith(`..${sep}`) || inside === '..' || isAbsolute(inside)) return 'forbidden'
  if (!existsSync(target)) return extname(rel) === '' ? null : target
  // A symlink inside out/renderer must not lead out of it.
  const real = realpathSync(target)
  const realRel = relative(root, real)
  if (realRel.startsWith(`..${sep}`) || realRel === '..' || isAbsolute(realRel)) return 'forbidden'
  return real
}
