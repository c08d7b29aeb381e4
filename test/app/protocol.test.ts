import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  electronSqliteBinding,
  ELECTRON_SQLITE_BINDING,
  storeOpenFailureMessage,
} from '../../src-main/app/native-binding'
import { resolveAppPath, securityHeaders, serveAppRequest } from '../../src-main/app/protocol-files'
import { CONTENT_SECURITY_POLICY } from '../../src-main/ipc/policy'

let base: string
let root: string

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'clab-protocol-'))
  root = join(base, 'renderer')
  mkdirSync(join(root, 'assets'), { recursive: true })
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>x</title>')
  writeFileSync(join(root, 'assets', 'app.js'), 'console.log(1)')
  writeFileSync(join(root, '.env'), 'SECRET=1')
  writeFileSync(join(base, 'secret.txt'), 'outside')
  symlinkSync(join(base, 'secret.txt'), join(root, 'assets', 'link.txt'))
})

afterAll(() => rmSync(base, { recursive: true, force: true }))

describe('app:// path resolver', () => {
  it('maps app URLs to files under the renderer folder', () => {
    expect(resolveAppPath(root, 'app://consistency-lab/')).toEqual({ ok: true, file: join(root, 'index.html') })
    expect(resolveAppPath(root, 'app://consistency-lab/assets/app.js?v=1#x')).toEqual({
      ok: true,
      file: join(root, 'assets', 'app.js'),
    })
    expect(resolveAppPath(root, 'app://consistency-lab/assets/a%20b.js')).toEqual({
      ok: true,
      file: join(root, 'assets', 'a b.js'),
    })
  })

  it('refuses traversal in every spelling, other hosts, dotfiles and bad encodings', () => {
    for (const url of [
      'app://consistency-lab/%2e%2e/secret.txt',
      'app://consistency-lab/assets/..%2f..%2fsecret.txt',
      'app://consistency-lab/assets%2f..%2f..%2fsecret.txt',
      'app://consistency-lab/%252e%252e/secret.txt'.replace('%25', '%'),
      'app://consistency-lab/..%5c..%5csecret.txt',
      'app://consistency-lab/a%00.js',
      'app://consistency-lab/%2fetc%2fpasswd',
      'app://consistency-lab/.env',
      'app://consistency-lab/%E0%A4%A',
      'app://other-host/index.html',
      'https://consistency-lab/index.html',
      'not a url',
    ]) {
      // Either refused, or (when the URL parser already collapsed the dots, as it does for `/%2e%2e/`, or
      // `//etc/passwd` lost its empty segments) a file strictly inside the renderer folder.
      const result = resolveAppPath(root, url)
      if (result.ok) expect(result.file.startsWith(root + '/'), `${url} -> ${result.file}`).toBe(true)
    }
    expect(resolveAppPath(root, 'app://consistency-lab/assets/..%2f..%2fsecret.txt')).toMatchObject({
      ok: false,
      status: 403,
    })
    expect(resolveAppPath(root, 'app://consistency-lab/..%5c..%5csecret.txt')).toMatchObject({ ok: false, status: 403 })
    expect(resolveAppPath(root, 'app://consistency-lab/a%00.js')).toMatchObject({ ok: false, status: 403 })
    expect(resolveAppPath(root, 'app://consistency-lab/%E0%A4%A')).toMatchObject({ ok: false, status: 400 })
    expect(resolveAppPath(root, 'app://consistency-lab/%2e%2e/secret.txt')).toEqual({
      ok: true,
      file: join(root, 'secret.txt'),
    })
  })
})

describe('app:// responses', () => {
  it('serves files with their MIME type and the CSP header', async () => {
    const res = await serveAppRequest(root, { url: 'app://consistency-lab/index.html', method: 'GET' })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY)
    expect(await res.text()).toContain('<title>x</title>')
    const js = await serveAppRequest(root, { url: 'app://consistency-lab/assets/app.js', method: 'GET' })
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
  })

  it('refuses traversal, symlinks out of the folder, missing files and other methods, CSP on every answer', async () => {
    const cases: Array<[string, string, number]> = [
      ['app://consistency-lab/%2e%2e/secret.txt', 'GET', 404],
      ['app://consistency-lab/assets/..%2f..%2fsecret.txt', 'GET', 403],
      ['app://consistency-lab/assets/link.txt', 'GET', 404],
      ['app://consistency-lab/nope.js', 'GET', 404],
      ['app://consistency-lab/.env', 'GET', 404],
      ['app://consistency-lab/index.html', 'POST', 405],
    ]
    for (const [url, method, status] of cases) {
      const res = await serveAppRequest(root, { url, method })
      expect(res.status, url).toBe(status)
      expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY)
      expect(await res.text()).not.toContain('outside')
    }
  })

  it('the literal CSP electronegativity reads equals the policy constant, with the required directives', () => {
    expect(securityHeaders()['Content-Security-Policy']).toBe(CONTENT_SECURITY_POLICY)
    for (const directive of [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self' 'unsafe-inline'",
      "img-src 'self' blob: data:",
      "connect-src 'self'",
    ]) {
      expect(CONTENT_SECURITY_POLICY).toContain(directive)
    }
  })
})

describe('Electron-ABI better-sqlite3 location', () => {
  it('uses build/electron-native/better_sqlite3.node when present, unpacked from asar', () => {
    const seen: string[] = []
    const found = electronSqliteBinding('/opt/app/resources/app.asar', (p) => (seen.push(p), true))
    expect(found).toBe(join('/opt/app/resources/app.asar.unpacked', ELECTRON_SQLITE_BINDING))
    expect(electronSqliteBinding('/work/main', () => false)).toBeUndefined()
    expect(seen).toHaveLength(1)
  })

  it('explains an ABI mismatch with the command that fixes it', () => {
    const message = storeOpenFailureMessage(
      new Error('was compiled against a different Node.js version using NODE_MODULE_VERSION 115'),
      undefined,
      '/data',
    )
    expect(message).toContain('npm run rebuild:electron')
    expect(message).toContain('clab -- serve')
  })
})
