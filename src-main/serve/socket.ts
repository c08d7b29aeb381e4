/**
 * One WebSocket client of `clab serve`: requests in (JSON text, or a binary `datasets.upload`), results and
 * pushed events out. Every malformed message gets an INVALID_PAYLOAD answer (with the request's id whenever
 * it can be read) and the connection stays open. The size and depth limits are checked before any
 * JSON.parse, so one hostile message costs a linear scan at most, never seconds of every client's time.
 */
import type { WebSocket } from 'ws'
import type { ApiError, ApiEvent, ApiResult, WireMessage, WireRequest } from '@shared/ipc/api'
import {
  BINARY_METHOD,
  MAX_NESTING_DEPTH,
  MAX_TEXT_MESSAGE_BYTES,
  WireError,
  encodeWire,
  exceedsDepth,
  reviveWire,
  splitBinaryRequest,
} from '@shared/ipc/wire'
import type { Api } from '../api/handlers'

/** A client that lets this much pile up unread gets no more metric events until it catches up. */
const MAX_BUFFERED_BYTES = 8 << 20

type Decoded = { ok: true; request: WireRequest } | { ok: false; id: number | null; error: ApiError }

export function serveSocket(ws: WebSocket, api: Api): void {
  const sendMessage = (message: WireMessage) => {
    if (ws.readyState === ws.OPEN) ws.send(encodeWire(message))
  }
  /**
   * An answer that cannot be encoded (a value JSON cannot hold, text past V8's string limit) or a call that
   * rejects after all: the request is still answered, with its id, and the server stays up.
   */
  const answer = (id: number, method: string, call: () => Promise<ApiResult<unknown>>) =>
    new Promise<ApiResult<unknown>>((resolve) => resolve(call()))
      .then((result) => sendMessage({ id, result }))
      .catch((error: unknown) => {
        const reason = error instanceof Error ? error.message : String(error)
        const message = `the answer to ${method.slice(0, 100)} could not be sent (${reason.slice(0, 200)})`
        try {
          sendMessage({ id, result: { ok: false, error: { code: 'INTERNAL', message, field: 'payload' } } })
        } catch {
          // Nothing more can be said on this socket about this request; the others go on.
        }
      })
  const off = api.subscribe((event: ApiEvent) => {
    // A slow client drops metric batches rather than growing the server's memory; run updates still go.
    if (event.type === 'metrics' && ws.bufferedAmount > MAX_BUFFERED_BYTES) return
    try {
      sendMessage({ event: event.type, data: event })
    } catch {
      // An event that cannot be encoded is dropped for this client; it must not reach the service's loop.
    }
  })
  ws.on('close', off)
  ws.on('error', off)
  ws.on('message', (data, isBinary) => {
    const decoded = decodeRequest(toBuffer(data), isBinary)
    if (!decoded.ok) return sendMessage({ id: decoded.id, result: { ok: false, error: decoded.error } })
    const { request } = decoded
    void answer(request.id, request.method, () => api.call(request.method, request.payload))
  })
}

function toBuffer(data: Buffer | ArrayBuffer | Buffer[]): Buffer {
  if (Array.isArray(data)) return Buffer.concat(data)
  return Buffer.isBuffer(data) ? data : Buffer.from(data)
}

/** Every refusal names a field; one about the message as a whole names `payload`. */
const invalid = (id: number | null, message: string, field = 'payload'): Decoded => ({
  ok: false,
  id,
  error: { code: 'INVALID_PAYLOAD', message, field },
})

/** A request's id read off its first bytes (encodeWire writes it first), for refusing it without parsing. */
function leadingId(data: Buffer | string): number | null {
  const head = typeof data === 'string' ? data.slice(0, 64) : data.subarray(0, 64).toString('latin1')
  const match = /^\s*\{\s*"id"\s*:\s*(\d{1,15})\s*[,}]/.exec(head)
  return match ? Number(match[1]) : null
}

export function decodeRequest(data: Buffer, isBinary: boolean): Decoded {
  let text: string
  let bytes: Uint8Array | null = null
  if (isBinary) {
    try {
      ;({ header: text, bytes } = splitBinaryRequest(data))
    } catch (error) {
      // The header's id is still answered when the header is too long to parse, so the caller is not left waiting.
      return invalid(
        leadingId(data.subarray(Math.min(4, data.byteLength))),
        error instanceof WireError ? error.message : 'a binary message could not be read',
      )
    }
  } else {
    if (data.byteLength > MAX_TEXT_MESSAGE_BYTES) {
      return invalid(
        leadingId(data),
        `a text message is at most ${MAX_TEXT_MESSAGE_BYTES} bytes (1 MiB); this one has ${data.byteLength}. File bytes go as a binary ${BINARY_METHOD} message`,
      )
    }
    text = data.toString('utf8')
  }
  if (exceedsDepth(text, MAX_NESTING_DEPTH))
    return invalid(leadingId(text), `a message may nest arrays and objects at most ${MAX_NESTING_DEPTH} deep`)
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch {
    return invalid(null, 'a message must be JSON text: { id, method, payload }')
  }
  const message = (raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? raw : {}) as Record<string, unknown>
  const id = typeof message.id === 'number' ? message.id : null
  if (id === null || typeof message.method !== 'string') {
    return invalid(
      id,
      'a message needs a numeric id and a method name',
      typeof message.method !== 'string' ? 'method' : 'id',
    )
  }
  const method = message.method
  let payload: unknown
  try {
    // Paths relative to the payload, as in every other INVALID_PAYLOAD (`bytes`, not `payload.bytes`).
    payload = reviveWire(message.payload, text, 'payload')
  } catch (error) {
    if (!(error instanceof WireError)) throw error
    return invalid(id, error.message, error.field ?? 'payload')
  }
  if (bytes !== null) {
    if (method !== BINARY_METHOD)
      return invalid(id, `only ${BINARY_METHOD} may come as a binary message, not ${JSON.stringify(method)}`, 'method')
    if (payload === null || typeof payload !== 'object' || Array.isArray(payload))
      return invalid(id, 'payload: expected an object', 'payload')
    if (Object.hasOwn(payload, 'bytes'))
      return invalid(id, 'bytes: in a binary message the bytes follow the header, not inside it', 'bytes')
    payload = { ...payload, bytes }
  }
  return { ok: true, request: { id, method, payload } }
}
