/**
 * What the `app://consistency-lab/…` protocol serves (no electron import: test/app runs it under plain
 * Node, where Response is global too). Only files inside the built renderer folder are served; a request
 * that leaves it (`..`, encoded `%2e%2e` or `%2f`, backslashes, NUL, a symlink pointing out) or names a
 * dotfile is refused. Every response carries the app's Content-Security-Policy.
 */
import { realpathSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { isAbsolute, relative, resolve, sep } from 'node:path'
import { APP_HOST, APP_SCHEME } from '../ipc/policy'
import { mimeType } from '../files/mime'

export type AppPathResult = { ok: true; file: string } | { ok: false; status: 400 | 403 | 404; reason: string }

const refuse = (status: 400 | 403 | 404, reason: string): AppPathResult => ({ ok: false, status, reason })

/** Maps a request URL to a file under `root` (lexically; see `realAppFile` for symlinks). */
export function resolveAppPath(root: string, requestUrl: string): AppPathResult {
  let url: URL
  try {
    url = new URL(requestUrl)
  } catch {
    return refuse(400, 'not a URL')
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return refuse(404, 'not an app URL')
  let path: string
  try {
    path = decodeURIComponent(url.pathname)
  } catch {
    return refuse(400, 'malformed percent-encoding')
  }
  if (path.includes('\0') || path.includes('\\')) return refuse(403, 'NUL or backslash in the path')
  const segments = path.split('/').filter((s) => s !== '')
  if (segments.some((s) => s === '..' || s === '.')) return refuse(403, 'dot segment in the path')
  if (segments.some((s) => s.startsWith('.'))) return refuse(404, 'dotfile')
  if (segments.length === 0) segments.push('index.html')
  const base = resolve(root)
  const file = resolve(base, ...segments)
  const rel = relative(base, file)
  if (rel === '' || rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel))
    return refuse(403, 'outside the renderer folder')
  return { ok: true, file }
}

/** The file's real path if it exists and stays inside `root` after symlinks are followed. */
export function realAppFile(root: string, file: string): string | null {
  try {
    const realRoot = realpathSync(root)
    const real = realpathSync(file)
    const rel = relative(realRoot, real)
    if (rel === '' || rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel)) return null
    return real
  } catch {
    return null
  }
}

export { mimeType }

/**
 * Headers on every response. The CSP is written out as a literal assignment (the same string as
 * CONTENT_SECURITY_POLICY in src-main/ipc/policy.ts; test/app/protocol.test.ts compares them) because that
 * is the form electronegativity's CSP check recognises in code.
 */
export function securityHeaders(): Record<string, string> {
  const headers: Record<string, string> = { 'X-Content-Type-Options': 'nosniff' }
  headers['Content-Security-Policy'] =
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' blob: data:; connect-src 'self'; object-src 'none'; base-uri 'none'"
  return headers
}

const SECURITY_HEADERS = securityHeaders()

/** The response to one `app://` request (GET/HEAD only). */
export async function serveAppRequest(root: string, request: { url: string; method: string }): Promise<Response> {
  const text = (status: number, body: string) =>
    new Response(body, { status, headers: { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' } })
  if (request.method !== 'GET' && request.method !== 'HEAD') return text(405, 'method not allowed')
  const resolved = resolveAppPath(root, request.url)
  if (!resolved.ok) return text(resolved.status, resolved.status === 404 ? 'not found' : 'refused')
  const real = realAppFile(root, resolved.file)
  if (!real) return text(404, 'not found')
  let body: Buffer
  try {
    body = await readFile(real)
  } catch {
    return text(404, 'not found')
  }
  const headers = { ...SECURITY_HEADERS, 'Content-Type': mimeType(real), 'Cache-Control': 'no-cache' }
  return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), { status: 200, headers })
}
