/**
 * `clab serve` security: the token on every HTTP request and WebSocket upgrade, loopback by default, no
 * way out of the renderer folder. Real sockets on 127.0.0.1; the API behind the server is a stub here
 * (the contract suite in test/api covers the real one), except for the CLI test at the end.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { apiSocketUrl, connectWsClient } from '@shared/ipc/ws-client'
import type { Api } from '../../src-main/api/handlers'
import {
  isLoopback,
  ServeError,
  startServer,
  staticFile,
  tokenMatches,
  type RunningServer,
} from '../../src-main/serve/server'
import { NodeWebSocket } from '../api/harness'
import { clab } from '../helpers/cli'
import { tempDir } from '../trainer-host/helpers'

const SECRET = 'TOP-SECRET-CONTENT'

const stubApi: Api = {
  call: async (method, payload) => ({ ok: true, value: { method, payload } }),
  subscribe: () => () => {},
}

let tmp: { dir: string; remove: () => void }
let renderer: string
let server: RunningServer

interface Response {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

/** A raw GET: the path is sent exactly as given (no normalisation of `..` or escapes). */
function get(port: number, path: string, headers: Record<string, string> = {}): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers, method: 'GET' }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (d: string) => (body += d))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

beforeAll(async () => {
  tmp = tempDir('serve-security')
  renderer = join(tmp.dir, 'out', 'renderer')
  mkdirSync(join(renderer, 'assets'), { recursive: true })
  writeFileSync(
    join(renderer, 'index.html'),
    '<!doctype html><title>lab</title><script type="module" src="/assets/app.js"></script>',
  )
  writeFileSync(join(renderer, 'assets', 'app.js'), 'console.log("app")')
  writeFileSync(join(renderer, 'assets', 'style.css'), 'body{}')
  writeFileSync(join(renderer, 'assets', 'logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>')
  writeFileSync(join(renderer, '.env'), SECRET)
  writeFileSync(join(tmp.dir, 'package.json'), SECRET)
  writeFileSync(join(tmp.dir, 'out', 'secret.txt'), SECRET)
  symlinkSync(join(tmp.dir, 'package.json'), join(renderer, 'assets', 'link.js'))
  server = await startServer({ api: stubApi, host: '127.0.0.1', port: 0, rendererDir: renderer })
})

afterAll(async () => {
  await server?.close()
  tmp?.remove()
})

describe('HTTP', () => {
  it('prints a loopback URL with a long random token', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{64}$/)
    expect(server.warning).toBeNull()
  })

  it('refuses requests without the token or with a wrong one (401)', async () => {
    const wrong = server.token.replace(/.$/, (c) => (c === '0' ? '1' : '0'))
    for (const path of [
      '/',
      '/index.html',
      '/assets/app.js',
      `/?token=${wrong}`,
      '/?token=',
      `/?token=${server.token.slice(0, 10)}`,
      `/assets/app.js?token=${wrong}`,
    ]) {
      const res = await get(server.port, path)
      expect(res.status, path).toBe(401)
      expect(res.body).not.toContain('<title>lab</title>')
    }
    expect((await get(server.port, '/', { Authorization: `Bearer ${wrong}` })).status).toBe(401)
    expect((await get(server.port, '/assets/app.js', { Cookie: `clab_token_${server.port}=${wrong}` })).status).toBe(
      401,
    )
  })

  it('serves the renderer with the token (query, then its cookie) with the right MIME types', async () => {
    const page = await get(server.port, `/?token=${server.token}`)
    expect(page.status).toBe(200)
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(page.headers['content-security-policy']).toMatch(/default-src 'self'/)
    expect(page.body).toContain('<title>lab</title>')
    const cookie = String(page.headers['set-cookie'])
    expect(cookie).toMatch(/HttpOnly/)
    expect(cookie).toMatch(/SameSite=Strict/)
    const jar = cookie.split(';')[0] as string
    const types: Record<string, string> = {
      '/assets/app.js': 'text/javascript; charset=utf-8',
      '/assets/style.css': 'text/css; charset=utf-8',
      '/assets/logo.svg': 'image/svg+xml',
    }
    for (const [path, type] of Object.entries(types)) {
      const res = await get(server.port, path, { Cookie: jar })
      expect(res.status, path).toBe(200)
      expect(res.headers['content-type'], path).toBe(type)
      expect(res.headers['x-content-type-options']).toBe('nosniff')
    }
    expect((await get(server.port, '/assets/app.js', { Authorization: `Bearer ${server.token}` })).status).toBe(200)
    expect((await get(server.port, '/assets/missing.js', { Cookie: jar })).status).toBe(404)
    // Client-side routes fall back to index.html.
    expect((await get(server.port, '/runs/abc', { Cookie: jar })).body).toContain('<title>lab</title>')
  })

  it('never serves a file outside the renderer folder (plain, encoded and double-encoded traversal, symlinks, dotfiles)', async () => {
    const paths = [
      '/../package.json',
      '/../../package.json',
      '/assets/../../secret.txt',
      '/%2e%2e/package.json',
      '/%2E%2E/%2E%2E/package.json',
      '/..%2fpackage.json',
      '/..%2f..%2fpackage.json',
      '/%2e%2e%2f%2e%2e%2fpackage.json',
      '/assets/..%2F..%2F..%2Fpackage.json',
      '/..%5c..%5cpackage.json',
      '/%252e%252e/%252e%252e/package.json',
      '/assets/%2e%2e/%2e%2e/secret.txt',
      '/%00/../package.json',
      '/assets/link.js',
      '/.env',
      '/%2eenv',
      `/${tmp.dir}/package.json`,
      `//${tmp.dir}/package.json`,
    ]
    for (const path of paths) {
      const sep = path.includes('?') ? '&' : '?'
      const res = await get(server.port, `${path}${sep}token=${server.token}`)
      expect(res.body, path).not.toContain(SECRET)
      expect([400, 403, 404], `${path} -> ${res.status}`).toContain(res.status)
    }
    expect(staticFile(renderer, '/../package.json')).toBe('forbidden')
    expect(staticFile(renderer, '/%2e%2e%2fpackage.json')).toBe('forbidden')
    expect(staticFile(renderer, '/assets/app.js')).toBe(join(renderer, 'assets', 'app.js'))
  })

  it('says to run `npm run build` when the renderer is not built', async () => {
    const bare = await startServer({ api: stubApi, port: 0, rendererDir: join(tmp.dir, 'nowhere') })
    try {
      expect(bare.rendererBuilt).toBe(false)
      const res = await get(bare.port, `/?token=${bare.token}`)
      expect(res.status).toBe(503)
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8')
      expect(res.body).toContain('npm run build')
      expect((await get(bare.port, '/')).status).toBe(401)
    } finally {
      await bare.close()
    }
  })
})

describe('WebSocket', () => {
  const wsUrl = (query: string) => `ws://127.0.0.1:${server.port}/api${query}`

  it('refuses an upgrade without the token or with a wrong one (401)', async () => {
    const wrong = 'f'.repeat(64)
    for (const query of ['', `?token=${wrong}`, '?token=', `?token=${server.token}x`]) {
      await expect(connectWsClient(wsUrl(query), { WebSocket: NodeWebSocket }), query).rejects.toThrow(/401/)
    }
  })

  it('refuses another origin (403) and another path (404)', async () => {
    const opened = (url: string, headers: Record<string, string> = {}) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(url, { headers })
        ws.on('open', () => {
          ws.close()
          resolve(101)
        })
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0))
        ws.on('error', () => resolve(-1))
      })
    expect(await opened(wsUrl(`?token=${server.token}`), { Origin: 'http://evil.example' })).toBe(403)
    expect(await opened(`ws://127.0.0.1:${server.port}/other?token=${server.token}`)).toBe(404)
    expect(await opened(wsUrl(`?token=${server.token}`), { Origin: `http://127.0.0.1:${server.port}` })).toBe(101)
  })

  it('carries requests with the token: { id, method, payload } -> { id, result }', async () => {
    const client = await connectWsClient(apiSocketUrl(server.url), { WebSocket: NodeWebSocket })
    try {
      const result = await client.call('runs.get', { id: 'x' })
      expect(result).toEqual({ ok: true, value: { method: 'runs.get', payload: { id: 'x' } } })
    } finally {
      client.close()
      await client.closed
    }
  })

  it('answers malformed messages with INVALID_PAYLOAD and keeps the connection', async () => {
    const ws = new WebSocket(wsUrl(`?token=${server.token}`))
    await new Promise((resolve) => ws.once('open', resolve))
    const replies: unknown[] = []
    ws.on('message', (d) => replies.push(JSON.parse(d.toString())))
    ws.send('not json')
    ws.send(JSON.stringify({ id: 7 }))
    ws.send(JSON.stringify({ id: 8, method: 'system.info' }))
    await new Promise<void>((resolve) => {
      const t = setInterval(() => replies.length >= 3 && (clearInterval(t), resolve()), 10)
    })
    ws.close()
    expect(replies[0]).toMatchObject({ id: null, result: { ok: false, error: { code: 'INVALID_PAYLOAD' } } })
    expect(replies[1]).toMatchObject({
      id: 7,
      result: { ok: false, error: { code: 'INVALID_PAYLOAD', field: 'method' } },
    })
    expect(replies[2]).toMatchObject({ id: 8, result: { ok: true } })
  })
})

describe('WebSocket client', () => {
  it('resolves pending and later calls with TRANSPORT when the server goes away', async () => {
    const hanging: Api = { call: () => new Promise(() => {}), subscribe: () => () => {} }
    const other = await startServer({ api: hanging, port: 0, rendererDir: renderer })
    const client = await connectWsClient(apiSocketUrl(other.url), { WebSocket: NodeWebSocket })
    const pending = client.call('system.info')
    await new Promise((resolve) => setTimeout(resolve, 50))
    await other.close()
    expect(await pending).toMatchObject({ ok: false, error: { code: 'TRANSPORT' } })
    await client.closed
    expect(await client.call('system.info')).toMatchObject({ ok: false, error: { code: 'TRANSPORT' } })
  })
})

describe('binding', () => {
  it('refuses a non-loopback host unless remote access is allowed explicitly', async () => {
    await expect(startServer({ api: stubApi, host: '0.0.0.0', port: 0 })).rejects.toThrow(ServeError)
    await expect(startServer({ api: stubApi, host: '0.0.0.0', port: 0 })).rejects.toThrow(/--allow-remote/)
    await expect(startServer({ api: stubApi, host: '::', port: 0 })).rejects.toThrow(/--allow-remote/)
    await expect(startServer({ api: stubApi, host: '192.168.1.20', port: 0 })).rejects.toThrow(/--allow-remote/)
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]'])
      expect(isLoopback(host), host).toBe(true)
    for (const host of ['0.0.0.0', '::', '10.0.0.1', 'example.com', '128.0.0.1'])
      expect(isLoopback(host), host).toBe(false)
  })

  it('binds a non-loopback host when allowed, with a warning; loopback has none', async () => {
    const remote = await startServer({ api: stubApi, host: '0.0.0.0', port: 0, allowRemote: true })
    try {
      expect(remote.warning).toMatch(/WARNING: listening on 0\.0\.0\.0, reachable from other machines/)
      expect((await get(Number(new URL(remote.url).port), '/')).status).toBe(401)
    } finally {
      await remote.close()
    }
    const local = await startServer({ api: stubApi, host: '127.0.0.1', port: 0, allowRemote: true })
    expect(local.warning).toBeNull()
    await local.close()
  })

  it('compares tokens without short-circuiting on length or prefix', () => {
    expect(tokenMatches('abc', 'abc')).toBe(true)
    expect(tokenMatches('abc', 'abd')).toBe(false)
    expect(tokenMatches('abc', 'ab')).toBe(false)
    expect(tokenMatches('abc', '')).toBe(false)
    expect(tokenMatches('abc', null)).toBe(false)
  })
})

describe('clab serve (a real process)', () => {
  it('refuses --host 0.0.0.0 without --allow-remote (exit 2)', async () => {
    const result = await clab([
      'serve',
      '--host',
      '0.0.0.0',
      '--port',
      '0',
      '--data-dir',
      join(tmp.dir, 'cli-data-refused'),
    ])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/not a loopback address.*--allow-remote/)
    expect(result.stdout).not.toMatch(/token=/)
  })

  it('with --allow-remote listens on 0.0.0.0 and prints the warning on stderr', async () => {
    let sawUrl = false
    const result = await clab(
      ['serve', '--host', '0.0.0.0', '--allow-remote', '--port', '0', '--data-dir', join(tmp.dir, 'cli-data-remote')],
      {
        onSpawn: (child) => {
          child.stdout?.on('data', (d: Buffer) => {
            if (!sawUrl && /token=[0-9a-f]{64}/.test(d.toString())) {
              sawUrl = true
              // A moment for the tsx wrapper to relay signals, as in the test below.
              setTimeout(() => child.kill('SIGINT'), 500)
            }
          })
        },
      },
    )
    expect(sawUrl).toBe(true)
    expect(result.stderr).toMatch(
      /WARNING: listening on 0\.0\.0\.0, reachable from other machines; anyone with the token/,
    )
    expect(result.code).toBe(0)
  })

  it('prints the URL with its token, serves the API with it, refuses without it, and stops on SIGINT', async () => {
    const dataDir = join(tmp.dir, 'cli-data')
    let url = ''
    let checks: Promise<void> = Promise.resolve()
    const result = clab(['serve', '--port', '0', '--data-dir', dataDir], {
      onSpawn: (child) => {
        let out = ''
        child.stdout?.on('data', (d: Buffer) => {
          out += d.toString()
          const match = /http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{64}/.exec(out)
          if (match && !url) {
            url = match[0]
            checks = (async () => {
              try {
                const port = Number(new URL(url).port)
                expect((await get(port, '/')).status).toBe(401)
                await expect(
                  connectWsClient(`ws://127.0.0.1:${port}/api`, { WebSocket: NodeWebSocket }),
                ).rejects.toThrow(/401/)
                const client = await connectWsClient(apiSocketUrl(url), { WebSocket: NodeWebSocket })
                const info = await client.call('system.info')
                expect(info.ok && info.value.dataDir).toBe(dataDir)
                const list = await client.call('runs.list')
                expect(list).toEqual({ ok: true, value: [] })
                client.close()
              } finally {
                child.kill('SIGINT')
              }
            })()
          }
        })
      },
    })
    const done = await result
    expect(url).not.toBe('')
    await checks
    expect(done.stdout).toContain(dataDir)
    expect(done.stdout).toMatch(/stopping/)
    expect(done.code).toBe(0)
  })
})
