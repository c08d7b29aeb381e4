/**
 * The WebSocket transport's client (browser and Node): `connectWsClient(url)` opens the `/api` socket of
 * `clab serve` and returns an ApiClient. It uses the global WebSocket (browsers, Node >= 22) unless one is
 * passed in (`ws`'s WebSocket under Node 20). Calls never reject: a lost connection resolves pending and
 * later calls with a TRANSPORT error. A `datasets.upload` goes as one binary message (see ./wire); every
 * other call as JSON text, refused here already when it is over the server's text limit.
 */
import type { ApiClient, ApiEvent, ApiMethod, ApiPayload, ApiResponses, ApiResult, WireMessage } from './api'
import { API_WS_PATH } from './api'
import {
  BINARY_METHOD,
  MAX_BINARY_MESSAGE_BYTES,
  MAX_TEXT_MESSAGE_BYTES,
  decodeWire,
  encodeBinaryRequest,
  encodeWire,
} from './wire'

/** The part of the WebSocket interface used here (browser WebSocket and `ws` both have it). */
export interface WebSocketLike {
  readonly readyState: number
  send(data: string | Uint8Array): void
  close(code?: number, reason?: string): void
  addEventListener(
    type: 'open' | 'close' | 'error' | 'message',
    listener: (event: { data?: unknown; code?: number; reason?: string; message?: string }) => void,
  ): void
}

export type WebSocketConstructor = new (url: string) => WebSocketLike

export interface WsClient extends ApiClient {
  close(): void
  /** Resolves when the socket closes (for any reason). */
  readonly closed: Promise<void>
}

export interface WsClientOptions {
  /** Defaults to globalThis.WebSocket. */
  WebSocket?: WebSocketConstructor
}

const OPEN = 1

/**
 * The API socket URL for a page served by `clab serve` (`http://host:port/?token=…` →
 * `ws://host:port/api?token=…`).
 */
export function apiSocketUrl(pageUrl: string): string {
  const page = new URL(pageUrl)
  const ws = new URL(API_WS_PATH, page)
  ws.protocol = page.protocol === 'https:' ? 'wss:' : 'ws:'
  const token = page.searchParams.get('token')
  ws.search = token ? `?token=${encodeURIComponent(token)}` : ''
  return ws.toString()
}

export function connectWsClient(url: string, options: WsClientOptions = {}): Promise<WsClient> {
  const Ctor = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket
  if (!Ctor)
    return Promise.reject(new Error('no WebSocket implementation: pass one in (e.g. the ws package) on Node < 22'))
  const socket = new Ctor(url)
  const pending = new Map<number, (result: ApiResult<unknown>) => void>()
  const listeners = new Set<(event: ApiEvent) => void>()
  let nextId = 1
  let isClosed = false
  let resolveClosed: () => void = () => {}
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve))

  const transportError = (message: string): ApiResult<never> => ({ ok: false, error: { code: 'TRANSPORT', message } })

  socket.addEventListener('message', (event) => {
    let message: WireMessage
    try {
      message = decodeWire(typeof event.data === 'string' ? event.data : String(event.data)) as WireMessage
    } catch {
      return
    }
    if ('event' in message) {
      for (const listener of [...listeners]) listener(message.data)
      return
    }
    if (typeof message.id === 'number') {
      const settle = pending.get(message.id)
      pending.delete(message.id)
      settle?.(message.result)
    }
  })

  return new Promise((resolve, reject) => {
    let opened = false
    socket.addEventListener('open', () => {
      opened = true
      resolve(client)
    })
    socket.addEventListener('error', (event) => {
      if (!opened) reject(new Error(`cannot connect to ${redact(url)}${event.message ? `: ${event.message}` : ''}`))
    })
    socket.addEventListener('close', (event) => {
      isClosed = true
      if (!opened)
        reject(
          new Error(
            `connection to ${redact(url)} closed (${event.code ?? '?'}${event.reason ? ` ${event.reason}` : ''})`,
          ),
        )
      for (const settle of pending.values()) settle(transportError('the connection to the backend closed'))
      pending.clear()
      resolveClosed()
    })

    const client: WsClient = {
      call<M extends ApiMethod>(method: M, payload?: ApiPayload<M>): Promise<ApiResult<ApiResponses[M]>> {
        if (isClosed || socket.readyState !== OPEN)
          return Promise.resolve(transportError('not connected to the backend'))
        const id = nextId++
        let message: string | Uint8Array
        try {
          message = encodeRequest(id, method, payload)
        } catch (error) {
          return Promise.resolve({
            ok: false,
            error: { code: 'INVALID_PAYLOAD', message: `the payload cannot be sent: ${(error as Error).message}` },
          })
        }
        const tooLarge = oversize(message)
        if (tooLarge)
          return Promise.resolve({
            ok: false,
            error: {
              code: 'INVALID_PAYLOAD',
              message: tooLarge,
              ...(typeof message === 'string' ? {} : { field: 'bytes' }),
            },
          })
        return new Promise((settle) => {
          pending.set(id, settle as (result: ApiResult<unknown>) => void)
          socket.send(message)
        })
      },
      subscribe(listener) {
        listeners.add(listener)
        return () => listeners.delete(listener)
      },
      close() {
        socket.close(1000, 'client closed')
      },
      closed,
    }
  })
}

/** A binary message for an upload that carries bytes, JSON text for everything else. */
function encodeRequest(id: number, method: string, payload: unknown): string | Uint8Array {
  if (
    method === BINARY_METHOD &&
    payload !== null &&
    typeof payload === 'object' &&
    (payload as { bytes?: unknown }).bytes instanceof Uint8Array
  ) {
    return encodeBinaryRequest(id, method, payload as { bytes: Uint8Array })
  }
  return encodeWire({ id, method, payload })
}

/** Why the server would refuse this message for its size, or null. */
function oversize(message: string | Uint8Array): string | null {
  if (typeof message !== 'string') {
    return message.byteLength > MAX_BINARY_MESSAGE_BYTES
      ? `bytes: an upload chunk is at most ${MAX_BINARY_MESSAGE_BYTES} bytes with its header; this one is ${message.byteLength}`
      : null
  }
  // UTF-8 takes at most 3 bytes per UTF-16 unit: only long text needs counting.
  if (message.length * 3 <= MAX_TEXT_MESSAGE_BYTES) return null
  const bytes = new TextEncoder().encode(message).byteLength
  return bytes > MAX_TEXT_MESSAGE_BYTES
    ? `the request is ${bytes} bytes of JSON; the server takes at most ${MAX_TEXT_MESSAGE_BYTES} (1 MiB) per message`
    : null
}

/** The URL without its token, for messages. */
function redact(url: string): string {
  return url.replace(/token=[^&]*/, 'token=…')
}
