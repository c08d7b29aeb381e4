/**
 * JSON for the WebSocket transport that keeps what structured clone keeps and plain JSON loses:
 * - NaN and ±Infinity (a diverged loss is NaN, and a chart must show it as such) travel as
 *   `{ "$num": "NaN" }`;
 * - bytes (sample PNGs) travel as `{ "$bytes": "<base64>" }` and come back as a Uint8Array.
 * Both transports therefore return the same values.
 */

const NON_FINITE_KEY = '$num'
const BYTES_KEY = '$bytes'

export function encodeWire(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'number' && !Number.isFinite(v)) return { [NON_FINITE_KEY]: Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity' }
    if (v instanceof Uint8Array) return { [BYTES_KEY]: toBase64(v) }
    return v
  })
}

export function decodeWire(text: string): unknown {
  return JSON.parse(text, (_key, v: unknown) => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const keys = Object.keys(v)
      if (keys.length === 1 && keys[0] === NON_FINITE_KEY) {
        const s = (v as Record<string, unknown>)[NON_FINITE_KEY]
        if (s === 'NaN') return NaN
        if (s === 'Infinity') return Infinity
        if (s === '-Infinity') return -Infinity
      }
      if (keys.length === 1 && keys[0] === BYTES_KEY) {
        const s = (v as Record<string, unknown>)[BYTES_KEY]
        if (typeof s === 'string') return fromBase64(s)
      }
    }
    return v
  })
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
