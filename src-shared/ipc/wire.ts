/**
 * JSON for the WebSocket transport that keeps what structured clone keeps and plain JSON loses:
 * - NaN and ±Infinity (a diverged loss is NaN, and a chart must show it as such) travel as
 *   `{ "$num": "NaN" }`;
 * - bytes (sample PNGs) travel as `{ "$bytes": "<base64>" }` and come back as a Uint8Array.
 * Both transports therefore return the same values.
 *
 * Uploads do not go through JSON: a `datasets.upload` request is one binary WebSocket message,
 *   [4-byte big-endian header length N][N bytes: UTF-8 JSON `{ id, method, payload }` without `bytes`][the bytes]
 * (base64 would grow the file by a third, and a 4 MiB string through JSON.parse costs every client time).
 *
 * Limits that keep one message from stalling the server for everyone (checked before JSON.parse): a text
 * message is at most MAX_TEXT_MESSAGE_BYTES, a binary one MAX_BINARY_MESSAGE_BYTES, and arrays and objects
 * nest at most MAX_NESTING_DEPTH deep.
 */

const NON_FINITE_KEY = '$num'
const BYTES_KEY = '$bytes'

/** Largest text (JSON) message a client may send. */
export const MAX_TEXT_MESSAGE_BYTES = 1 << 20
/** Largest binary message (an upload chunk with its header). */
export const MAX_BINARY_MESSAGE_BYTES = 64 << 20
/** Largest JSON header of a binary message: as for a text message, so an over-long field is named by the schema. */
export const MAX_BINARY_HEADER_BYTES = MAX_TEXT_MESSAGE_BYTES
/** Deepest nesting of arrays and objects in a message (real payloads nest a handful deep). */
export const MAX_NESTING_DEPTH = 64
/** The only method whose request may come as a binary message; its bytes go in `payload.bytes`. */
export const BINARY_METHOD = 'datasets.upload'

/** A message that cannot be decoded; `field` is the dotted path of the culprit when one is known. */
export class WireError extends Error {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message)
    this.name = 'WireError'
  }
}

export function encodeWire(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'number' && !Number.isFinite(v))
      return { [NON_FINITE_KEY]: Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity' }
    if (v instanceof Uint8Array) return { [BYTES_KEY]: toBase64(v) }
    return v
  })
}

export interface DecodeOptions {
  /** Refuse (before parsing) text that nests arrays and objects deeper than this. */
  maxDepth?: number
}

/** JSON text to a value, `$num`/`$bytes` markers restored. Throws WireError or SyntaxError. */
export function decodeWire(text: string, options: DecodeOptions = {}): unknown {
  return reviveWire(parseWire(text, options), text)
}

/** JSON.parse after the depth check; markers are left as they are (see reviveWire). */
export function parseWire(text: string, options: DecodeOptions = {}): unknown {
  if (options.maxDepth !== undefined && exceedsDepth(text, options.maxDepth)) {
    throw new WireError(`a message may nest arrays and objects at most ${options.maxDepth} deep`)
  }
  return JSON.parse(text) as unknown
}

/**
 * Restores `$num` and `$bytes` markers in a value parsed from `text`, in place. Text without the marker
 * names is returned untouched without a walk (encodeWire never escapes the `$`). A `$bytes` that is not
 * base64 throws WireError naming its dotted path (`payload.bytes`).
 */
export function reviveWire(value: unknown, text: string, rootName = 'the message'): unknown {
  if (!text.includes(`"${NON_FINITE_KEY}"`) && !text.includes(`"${BYTES_KEY}"`)) return value
  return revive(value, '', rootName)
}

function revive(v: unknown, path: string, rootName: string): unknown {
  if (v === null || typeof v !== 'object') return v
  const record = v as Record<string, unknown>
  if (!Array.isArray(v)) {
    const keys = Object.keys(record)
    if (keys.length === 1 && keys[0] === NON_FINITE_KEY) {
      const s = record[NON_FINITE_KEY]
      if (s === 'NaN') return NaN
      if (s === 'Infinity') return Infinity
      if (s === '-Infinity') return -Infinity
    }
    if (keys.length === 1 && keys[0] === BYTES_KEY) {
      const s = record[BYTES_KEY]
      if (typeof s === 'string') {
        try {
          return fromBase64(s)
        } catch {
          throw new WireError(`${path || rootName}: $bytes is not valid base64`, path || undefined)
        }
      }
    }
  }
  for (const key of Object.keys(record)) {
    const before = record[key]
    const after = revive(before, path === '' ? key : `${path}.${key}`, rootName)
    // defineProperty, not assignment: a parsed `__proto__` key is an own property and must stay one.
    if (after !== before)
      Object.defineProperty(record, key, { value: after, writable: true, enumerable: true, configurable: true })
  }
  return v
}

/**
 * Whether JSON text nests arrays and objects deeper than `limit`: one pass over the characters, brackets
 * inside strings skipped, so a deep message is refused before JSON.parse spends time (or stack) on it.
 */
export function exceedsDepth(text: string, limit: number): boolean {
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 0x5c) i++
      else if (c === 0x22) inString = false
    } else if (c === 0x22) inString = true
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true
    } else if (c === 0x5d || c === 0x7d) depth--
  }
  return false
}

/** A binary upload message: the request without `payload.bytes` as the JSON header, then the bytes. */
export function encodeBinaryRequest(
  id: number,
  method: string,
  payload: { bytes: Uint8Array } & Record<string, unknown>,
): Uint8Array {
  const { bytes, ...rest } = payload
  const header = new TextEncoder().encode(encodeWire({ id, method, payload: rest }))
  const out = new Uint8Array(4 + header.byteLength + bytes.byteLength)
  new DataView(out.buffer).setUint32(0, header.byteLength)
  out.set(header, 4)
  out.set(bytes, 4 + header.byteLength)
  return out
}

/** Splits a binary message into its JSON header text and its bytes (a copy). Throws WireError. */
export function splitBinaryRequest(data: Uint8Array): { header: string; bytes: Uint8Array } {
  if (data.byteLength < 4) throw new WireError('a binary message starts with a 4-byte header length')
  const length = new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(0)
  if (length > MAX_BINARY_HEADER_BYTES)
    throw new WireError(
      `a binary message's header is at most ${MAX_BINARY_HEADER_BYTES} bytes (got a length of ${length})`,
    )
  if (4 + length > data.byteLength)
    throw new WireError(`a binary message's header length (${length}) runs past its end (${data.byteLength} bytes)`)
  let header: string
  try {
    header = new TextDecoder('utf-8', { fatal: true }).decode(data.subarray(4, 4 + length))
  } catch {
    throw new WireError("a binary message's header must be UTF-8 JSON")
  }
  // A plain Uint8Array copy: the same value the desktop IPC delivers, and nothing shared with the socket's buffers.
  return { header, bytes: new Uint8Array(data.subarray(4 + length)) }
}

// btoa/atob exist in browsers and in Node >= 16, so one codec serves both ends.
function toBase64(bytes: Uint8Array): string {
  let binary = ''
  const CHUNK = 0x8000
  for (let i = 0; i < bytes.length; i += CHUNK) binary += String.fromCharCode(...bytes.subarray(i, i + CHUNK))
  return btoa(binary)
}

function fromBase64(text: string): Uint8Array {
  const binary = atob(text)
  const out = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i)
  return out
}
