/**
 * `clab serve`'s server: the built renderer (out/renderer) as static files and the API over a WebSocket
 * at `/api`, on loopback by default. Every HTTP request and WebSocket upgrade needs the random token
 * printed in the URL (`?token=…`; the page load also sets it as a SameSite=Strict cookie so the page's
 * own assets load); anything else gets 401. Tokens are compared in constant time.
 *
 * Wire format: `{ id, method, payload }` → `{ id, result }` with `result` an ApiResult; events are pushed
 * as `{ event, data }`. NaN and ±Infinity survive (see @shared/ipc/wire).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { createReadStream, existsSync, realpathSync, statSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { isIP, type AddressInfo, type Socket } from 'node:net'
import { extname, isAbsolute, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { WebSocketServer, type WebSocket } from 'ws'
import { API_WS_PATH, type ApiEvent, type WireMessage, type WireRequest } from '@shared/ipc/api'
import { decodeWire, encodeWire } from '@shared/ipc/wire'
import type { Api } from '../api/handlers'
import { MIME, mimeType } from '../files/mime'

export const DEFAULT_RENDERER_DIR = fileURLToPath(new URL('../../out/renderer', import.meta.url))
export const DEFAULT_PORT = 5178
/** Largest WebSocket message accepted from a client. */
// Dataset uploads come as one message per file: Fashion-MNIST's training images (26 MB gz) are 35 MB in base64,
// a CIFAR-10 batch (30 MB) 41 MB.
const MAX_MESSAGE_BYTES = 64 << 20
/** A client that lets this much pile up unread gets no more metric events until it catches up. */
const MAX_BUFFERED_BYTES = 8 << 20

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
    throw new ServeError(`refusing to listen on ${host}: it is not a loopback address; pass --allow-remote to expose the lab to the network`)
  }
  const token = options.token ?? randomBytes(32).toString('hex')
  const rendererDir = resolve(options.rendererDir ?? DEFAULT_RENDERER_DIR)
  const rendererBuilt = existsSync(join(rendererDir, 'index.html'))
  const realRendererDir = rendererBuilt ? realpathSync(rendererDir) : rendererDir
  const { api } = options
  let cookieName = 'clab_token'

  const authorized = (req: IncomingMessage, url: URL): boolean =>
    tokenMatches(token, url.searchParams.get('token')) || tokenMatches(token, bearerToken(req)) || tokenMatches(token, cookieToken(req, cookieName))

  const securityHeaders = {
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cache-Control': 'no-store',
  }

  const send = (res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8', extra: Record<string, string> = {}) => {
    res.writeHead(status, { ...securityHeaders, ...extra, 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) })
    res.end(body)
  }

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    let url: URL
    try {
      url = new URL(req.url ?? '/', 'http://localhost')
    } catch {
      return send(res, 400, 'bad request\n')
    }
    if (!authorized(req, url)) return send(res, 401, 'unauthorized: open the URL printed by `clab serve` (it carries ?token=…)\n')
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed\n')
    const extra: Record<string, string> = {}
    if (tokenMatches(token, url.searchParams.get('token'))) {
      extra['Set-Cookie'] = `${cookieName}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`
    }
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
      ...(type === MIME['.html'] ? { 'Content-Security-Policy': "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' blob: data:; connect-src 'self'; object-src 'none'; base-uri 'none'" } : {}),
    })
    if (req.method === 'HEAD') return res.end()
    createReadStream(target).pipe(res)
  }

  const server: Server = createServer(onRequest)
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES })

  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const refuse = (status: number, text: string) => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
      socket.destroy()
    }
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
      reject(new ServeError(error.code === 'EADDRINUSE' ? `port ${options.port} on ${host} is in use; pick another with --port` : `cannot listen on ${host}:${options.port}: ${error.message}`))
    })
    server.listen(options.port ?? DEFAULT_PORT, host, () => resolveListen())
  })
  const port = (server.address() as AddressInfo).port
  cookieName = `clab_token_${port}`
  const urlHost = isIP(host) === 6 ? `[${host}]` : host
  const url = `http://${urlHost}:${port}/?token=${token}`

  return {
    url,
    host,
    port,
    token,
    rendererBuilt,
    warning: loopback ? null : `WARNING: listening on ${host}, reachable from other machines; anyone with the token can start, change and delete runs`,
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

/** One WebSocket client: requests in, results and pushed events out. */
function serveSocket(ws: WebSocket, api: Api): void {
  const sendMessage = (message: WireMessage) => {
    if (ws.readyState === ws.OPEN) ws.send(encodeWire(message))
  }
  const off = api.subscribe((event: ApiEvent) => {
    // A slow client drops metric batches rather than growing the server's memory; run updates still go.
    if (event.type === 'metrics' && ws.bufferedAmount > MAX_BUFFERED_BYTES) return
    sendMessage({ event: event.type, data: event })
  })
  ws.on('close', off)
  ws.on('error', off)
  ws.on('message', (data, isBinary) => {
    let request: WireRequest
    try {
      if (isBinary) throw new Error('binary')
      request = decodeWire(data.toString()) as WireRequest
    } catch {
      return sendMessage({ id: null, result: { ok: false, error: { code: 'INVALID_PAYLOAD', message: 'a message must be JSON text: { id, method, payload }' } } })
    }
    if (request === null || typeof request !== 'object' || typeof request.id !== 'number' || typeof request.method !== 'string') {
      const id = request !== null && typeof request === 'object' && typeof request.id === 'number' ? request.id : null
      return sendMessage({ id, result: { ok: false, error: { code: 'INVALID_PAYLOAD', message: 'a message needs a numeric id and a method name', field: typeof request?.method !== 'string' ? 'method' : 'id' } } })
    }
    void api.call(request.method, request.payload).then((result) => sendMessage({ id: request.id, result }))
  })
}
