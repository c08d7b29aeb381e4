/**
 * Issue #15 findings about `clab serve` itself: message limits and binary uploads (#15.8), the Host-header
 * check (#15.12), token hygiene (#15.13) and the id of a malformed `$bytes` (#15.15). Real sockets on
 * 127.0.0.1; the API behind the server is a recording stub (what reaches `api.call` is what is tested).
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import type { WireMessage } from '@shared/ipc/api'
import { apiSocketUrl, connectWsClient } from '@shared/ipc/ws-client'
import { decodeWire, encodeBinaryRequest, exceedsDepth, MAX_TEXT_MESSAGE_BYTES, WireError } from '@shared/ipc/wire'
import type { Api } from '../../src-main/api/handlers'
import { startServer, type RunningServer } from '../../src-main/serve/server'
import { forgetPageToken } from '../../src-renderer/lib/api'
import { NodeWebSocket } from '../api/harness'
import { clab } from '../helpers/cli'
import { tempDir } from '../trainer-host/helpers'

/** What reached the API: each call's method and payload (bytes summarised). */
const calls: Array<{ method: string; payload: unknown }> = []
const recordingApi: Api = {
  call: async (method, payload) => {
    calls.push({ method, payload })
    const p = payload as { bytes?: unknown } | undefined
    if (p?.bytes instanceof Uint8Array) {
      let sum = 0
      for (const b of p.bytes) sum = (sum + b) % 1_000_003
      return {
        ok: true,
        value: {
          method,
          plain: p.bytes.constructor === Uint8Array,
          length: p.bytes.byteLength,
          sum,
          keys: Object.keys(p).sort(),
        },
      }
    }
    return { ok: true, value: { method } }
  },
  subscribe: () => () => {},
}

let tmp: { dir: string; remove: () => void }
let server: RunningServer

beforeAll(async () => {
  tmp = tempDir('security-serve')
  const renderer = join(tmp.dir, 'renderer')
  mkdirSync(renderer, { recursive: true })
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>lab</title>')
  server = await startServer({ api: recordingApi, host: '127.0.0.1', port: 0, rendererDir: renderer })
})

afterAll(async () => {
  await server?.close()
  tmp?.remove()
})

/** A raw WebSocket on the server with every reply collected in arrival order. */
async function rawSocket(
  label: string,
  order: string[],
): Promise<{ ws: WebSocket; replies: WireMessage[]; waitFor(n: number): Promise<void> }> {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api?token=${server.token}`, { maxPayload: 0 })
  await new Promise((resolve, reject) => {
    ws.once('open', resolve)
    ws.once('error', reject)
  })
  const replies: WireMessage[] = []
  ws.on('message', (d) => {
    const message = JSON.parse(d.toString()) as WireMessage
    replies.push(message)
    order.push(`${label}:${'id' in message ? message.id : 'event'}`)
  })
  const waitFor = (n: number) =>
    new Promise<void>((resolve) => {
      const t = setInterval(() => replies.length >= n && (clearInterval(t), resolve()), 5)
    })
  return { ws, replies, waitFor }
}

/** One raw HTTP/1.1 request (exactly these header lines); resolves with the status line and the body. */
function rawRequest(port: number, head: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(`${head}\r\n\r\n`))
    let text = ''
    socket.setEncoding('utf8')
    const done = () => {
      socket.destroy()
      resolve({ status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? 0), text })
    }
    socket.on('data', (d: string) => {
      text += d
      // A 101 keeps the socket open: the head is the whole answer. Others end after Content-Length bytes.
      const end = text.indexOf('\r\n\r\n')
      if (end < 0) return
      const length = Number(/\r\ncontent-length: (\d+)/i.exec(text.slice(0, end))?.[1] ?? 0)
      if (text.startsWith('HTTP/1.1 101') || Buffer.byteLength(text.slice(end + 4)) >= length) done()
    })
    socket.on('end', done)
    socket.on('error', reject)
  })
}

describe('#15.8 message limits', () => {
  it('#15.8 a 100k-deep message and an over-1 MiB text message are refused before parsing, with their id, while another client is answered', async () => {
    const order: string[] = []
    const a = await rawSocket('A', order)
    const b = await rawSocket('B', order)
    const deep = `{"id":1,"method":"system.info","payload":${'['.repeat(100_000)}${']'.repeat(100_000)}}`
    // Not even JSON: the depth limit answers before the parser could.
    const deepBroken = `{"id":2,"method":"system.info","payload":${'['.repeat(100_000)}`
    const big = JSON.stringify({ id: 3, method: 'runs.annotate', payload: { id: 'r', notes: 'x'.repeat(2 << 20) } })
    const bigBroken = `{"id":4,"method":"runs.annotate","payload":"${'x'.repeat(2 << 20)}`
    a.ws.send(deep)
    a.ws.send(deepBroken)
    a.ws.send(big)
    a.ws.send(bigBroken)
    b.ws.send(JSON.stringify({ id: 9, method: 'system.info' }))
    a.ws.send(JSON.stringify({ id: 5, method: 'system.info' }))
    await Promise.all([a.waitFor(5), b.waitFor(1)])
    a.ws.close()
    b.ws.close()

    const [r1, r2, r3, r4, r5] = a.replies
    for (const [reply, id] of [
      [r1, 1],
      [r2, 2],
    ] as const) {
      expect(reply).toMatchObject({ id, result: { ok: false, error: { code: 'INVALID_PAYLOAD' } } })
      expect(JSON.stringify(reply)).toMatch(/at most 64 deep/)
    }
    for (const [reply, id] of [
      [r3, 3],
      [r4, 4],
    ] as const) {
      expect(reply).toMatchObject({ id, result: { ok: false, error: { code: 'INVALID_PAYLOAD' } } })
      expect(JSON.stringify(reply)).toContain(`at most ${MAX_TEXT_MESSAGE_BYTES} bytes (1 MiB)`)
    }
    // Both connections stayed up: A's next request and B's were answered, and the refused ones never reached the API.
    expect(r5).toMatchObject({ id: 5, result: { ok: true } })
    expect(b.replies[0]).toMatchObject({ id: 9, result: { ok: true } })
    expect(order.filter((o) => o.startsWith('A:'))).toEqual(['A:1', 'A:2', 'A:3', 'A:4', 'A:5'])
    expect(calls.filter((c) => c.method === 'runs.annotate')).toEqual([])
  })

  it('#15.8 the depth scan skips brackets inside strings and decodeWire takes a depth limit', () => {
    expect(exceedsDepth(JSON.stringify({ a: '['.repeat(1000), b: [[1]] }), 3)).toBe(false)
    expect(exceedsDepth(JSON.stringify({ a: 'say \\"[[[[' }), 1)).toBe(false)
    expect(exceedsDepth('[[[[]]]]', 3)).toBe(true)
    expect(() => decodeWire('['.repeat(100_000), { maxDepth: 64 })).toThrow(WireError)
    expect(decodeWire(JSON.stringify({ x: [1, { $num: 'NaN' }] }), { maxDepth: 64 })).toEqual({ x: [1, NaN] })
  })

  it('#15.8 an upload travels as one binary message and reaches the API as the same payload', async () => {
    const client = await connectWsClient(apiSocketUrl(server.url), { WebSocket: NodeWebSocket })
    try {
      // 5 MiB: five times the text limit, so only the binary path can carry it.
      const bytes = new Uint8Array(5 << 20)
      for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7) % 251
      let sum = 0
      for (const b of bytes) sum = (sum + b) % 1_000_003
      const first = await client.call('datasets.upload', { name: 'train.gz', bytes })
      expect(first).toEqual({
        ok: true,
        value: { method: 'datasets.upload', plain: true, length: bytes.length, sum, keys: ['bytes', 'name'] },
      })
      const next = await client.call('datasets.upload', {
        name: 'train.gz',
        bytes: bytes.subarray(0, 3),
        to: 'uploads/x',
        offset: 5,
      })
      expect(next).toMatchObject({ ok: true, value: { length: 3, keys: ['bytes', 'name', 'offset', 'to'] } })
      // Any other call over the text limit is refused before it leaves the client.
      const huge = await client.call('runs.annotate', { id: 'r', notes: 'x'.repeat(2 << 20) })
      expect(huge).toMatchObject({
        ok: false,
        error: { code: 'INVALID_PAYLOAD', message: expect.stringMatching(/at most 1048576 \(1 MiB\)/) },
      })
    } finally {
      client.close()
      await client.closed
    }

    const order: string[] = []
    const raw = await rawSocket('R', order)
    raw.ws.send(encodeBinaryRequest(21, 'datasets.upload', { name: 'a.bin', bytes: new Uint8Array([1, 2, 3]) }))
    raw.ws.send(encodeBinaryRequest(22, 'runs.delete', { id: 'r', bytes: new Uint8Array([1]) }))
    raw.ws.send(new Uint8Array([0, 0, 0xff, 0xff, 1]))
    const smuggled = new TextEncoder().encode(
      JSON.stringify({ id: 23, method: 'datasets.upload', payload: { name: 'a', bytes: { $bytes: 'AAAA' } } }),
    )
    // Bytes inside the header as well as after it: refused, not silently replaced.
    raw.ws.send(withHeader(smuggled, new Uint8Array([9])))
    await raw.waitFor(4)
    raw.ws.close()
    // Refusals are answered at once, API calls a moment later: match replies by id, not by position.
    const byId = (id: number | null) => raw.replies.find((r) => 'id' in r && r.id === id)
    const [u1, u2, u3, u4] = [byId(21), byId(22), byId(null), byId(23)]
    expect(u1).toMatchObject({ id: 21, result: { ok: true, value: { length: 3, plain: true } } })
    expect(u2).toMatchObject({
      id: 22,
      result: {
        ok: false,
        error: { code: 'INVALID_PAYLOAD', field: 'method', message: expect.stringMatching(/only datasets\.upload/) },
      },
    })
    expect(u3).toMatchObject({
      id: null,
      result: { ok: false, error: { code: 'INVALID_PAYLOAD', message: expect.stringMatching(/header/) } },
    })
    expect(u4).toMatchObject({ id: 23, result: { ok: false, error: { code: 'INVALID_PAYLOAD', field: 'bytes' } } })
    expect(calls.filter((c) => c.method === 'runs.delete')).toEqual([])
  })
})

/** A binary message from a raw header (for headers encodeBinaryRequest would never write). */
function withHeader(header: Uint8Array, bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + header.length + bytes.length)
  new DataView(out.buffer).setUint32(0, header.length)
  out.set(header, 4)
  out.set(bytes, 4 + header.length)
  return out
}

describe('#15.15 malformed $bytes', () => {
  it('#15.15 a malformed $bytes is answered with the request id and names the field', async () => {
    const order: string[] = []
    const raw = await rawSocket('M', order)
    raw.ws.send(
      JSON.stringify({
        id: 31,
        method: 'datasets.upload',
        payload: { name: 'a', bytes: { $bytes: '!!not base64!!' } },
      }),
    )
    raw.ws.send(JSON.stringify({ id: 32, method: 'runs.annotate', payload: { id: 'r', tags: ['a', { $bytes: 'A' }] } }))
    await raw.waitFor(2)
    raw.ws.close()
    expect(raw.replies[0]).toMatchObject({
      id: 31,
      result: {
        ok: false,
        error: { code: 'INVALID_PAYLOAD', field: 'bytes', message: expect.stringMatching(/^bytes: .*base64/) },
      },
    })
    expect(raw.replies[1]).toMatchObject({
      id: 32,
      result: { ok: false, error: { code: 'INVALID_PAYLOAD', field: 'tags.1' } },
    })
  })
})

describe('#15.12 Host header', () => {
  const get = (host: string | null, path = `/?token=${server.token}`) =>
    rawRequest(
      server.port,
      [`GET ${path} HTTP/1.1`, ...(host === null ? [] : [`Host: ${host}`]), 'Connection: close'].join('\r\n'),
    )
  const upgrade = (host: string) =>
    rawRequest(
      server.port,
      [
        `GET /api?token=${server.token} HTTP/1.1`,
        `Host: ${host}`,
        'Connection: Upgrade',
        'Upgrade: websocket',
        'Sec-WebSocket-Version: 13',
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
      ].join('\r\n'),
    )

  it('#15.12 requests and upgrades whose Host is not this server get 421, with the token or not', async () => {
    for (const host of [
      'evil.example',
      `evil.example:${server.port}`,
      `127.0.0.1:${server.port + 1}`,
      `localhost.evil.example:${server.port}`,
      `127.0.0.1.nip.io:${server.port}`,
    ]) {
      const page = await get(host)
      expect(page.status, host).toBe(421)
      expect(page.text).toMatch(/DNS rebinding/)
      expect(page.text).not.toContain('<title>lab</title>')
      expect((await upgrade(host)).status, host).toBe(421)
    }
    const bare = await rawRequest(server.port, `GET /?token=${server.token} HTTP/1.0`)
    expect(bare.status).toBe(421)
    for (const host of [
      `127.0.0.1:${server.port}`,
      `localhost:${server.port}`,
      `LOCALHOST:${server.port}`,
      `[::1]:${server.port}`,
    ]) {
      expect((await get(host)).status, host).toBe(200)
      expect((await upgrade(host)).status, host).toBe(101)
    }
  })

  it('#15.12 bound to every address with --allow-remote, IP addresses pass and names still do not', async () => {
    const remote = await startServer({
      api: recordingApi,
      host: '0.0.0.0',
      port: 0,
      allowRemote: true,
      rendererDir: join(tmp.dir, 'renderer'),
    })
    try {
      const at = (host: string) =>
        rawRequest(
          remote.port,
          [`GET /?token=${remote.token} HTTP/1.1`, `Host: ${host}`, 'Connection: close'].join('\r\n'),
        )
      expect((await at(`evil.example:${remote.port}`)).status).toBe(421)
      expect((await at(`10.1.2.3:${remote.port}`)).status).toBe(200)
      expect((await at(`127.0.0.1:${remote.port}`)).status).toBe(200)
    } finally {
      await remote.close()
    }
  })
})

describe('#15.13 token hygiene', () => {
  it('#15.13 a launch link sets the per-port cookie once, without the token in any URL, and then expires', async () => {
    const link = server.launchUrl()
    expect(link).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${server.port}/\\?launch=[0-9a-f]{48}$`))
    expect(link).not.toContain(server.token)
    const path = link.slice(link.indexOf('/', 7))
    const first = await rawRequest(
      server.port,
      [`GET ${path} HTTP/1.1`, `Host: 127.0.0.1:${server.port}`, 'Connection: close'].join('\r\n'),
    )
    expect(first.status).toBe(303)
    expect(first.text).toMatch(/\r\nLocation: \/\r\n/)
    const cookie = /\r\nSet-Cookie: ([^\r]*)/.exec(first.text)?.[1] ?? ''
    expect(cookie).toMatch(new RegExp(`^clab_token_${server.port}=${server.token}; `))
    expect(cookie).toMatch(/; HttpOnly/)
    expect(cookie).toMatch(/; SameSite=Strict/)
    expect(cookie).toMatch(/; Path=\//)
    const jar = cookie.split(';')[0] as string
    expect(
      (
        await rawRequest(
          server.port,
          [`GET / HTTP/1.1`, `Host: 127.0.0.1:${server.port}`, `Cookie: ${jar}`, 'Connection: close'].join('\r\n'),
        )
      ).status,
    ).toBe(200)
    // One use only.
    const again = await rawRequest(
      server.port,
      [`GET ${path} HTTP/1.1`, `Host: 127.0.0.1:${server.port}`, 'Connection: close'].join('\r\n'),
    )
    expect(again.status).toBe(401)
    expect(again.text).toMatch(/used already or has expired/)

    const brief = await startServer({
      api: recordingApi,
      port: 0,
      rendererDir: join(tmp.dir, 'renderer'),
      launchTtlMs: 1,
    })
    try {
      const stale = brief.launchUrl()
      await new Promise((resolve) => setTimeout(resolve, 20))
      const res = await rawRequest(
        brief.port,
        [
          `GET ${stale.slice(stale.indexOf('/', 7))} HTTP/1.1`,
          `Host: 127.0.0.1:${brief.port}`,
          'Connection: close',
        ].join('\r\n'),
      )
      expect(res.status).toBe(401)
    } finally {
      await brief.close()
    }
  })

  it('#15.13 clab serve --open hands the browser a launch link, never the token', async () => {
    // A stand-in xdg-open first on PATH records the command line the browser would have been given.
    const bin = join(tmp.dir, 'bin')
    mkdirSync(bin, { recursive: true })
    const argsFile = join(tmp.dir, 'xdg-open-args')
    writeFileSync(join(bin, 'xdg-open'), `#!/bin/sh\nprintf '%s\\n' "$@" > '${argsFile}'\n`)
    chmodSync(join(bin, 'xdg-open'), 0o755)
    let url = ''
    let opened = ''
    const result = await clab(['serve', '--open', '--port', '0', '--data-dir', join(tmp.dir, 'open-data')], {
      env: { PATH: `${bin}:${process.env.PATH ?? ''}` },
      onSpawn: (child) => {
        let out = ''
        child.stdout?.on('data', (d: Buffer) => {
          out += d.toString()
          const match = /http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{64}/.exec(out)
          if (match && !url) {
            url = match[0]
            const poll = setInterval(() => {
              try {
                opened = readFileSync(argsFile, 'utf8').trim()
              } catch {
                return
              }
              clearInterval(poll)
              void (async () => {
                const port = Number(new URL(url).port)
                const res = await rawRequest(
                  port,
                  [
                    `GET ${opened.slice(opened.indexOf('/', 7))} HTTP/1.1`,
                    `Host: 127.0.0.1:${port}`,
                    'Connection: close',
                  ].join('\r\n'),
                )
                opened += `\n${res.status}`
                child.kill('SIGINT')
              })()
            }, 50)
          }
        })
      },
    })
    expect(result.code).toBe(0)
    const token = new URL(url).searchParams.get('token') as string
    const [link, status] = opened.split('\n')
    expect(link).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?launch=[0-9a-f]{48}$/)
    expect(opened).not.toContain(token)
    expect(status).toBe('303')
  })

  it('#15.13 the page drops ?token= from its address bar, keeping the route and other parameters', () => {
    const replaced: Array<[unknown, string, string | undefined]> = []
    const history = {
      state: { keep: 1 },
      replaceState: (data: unknown, unused: string, url?: string) => void replaced.push([data, unused, url]),
    }
    forgetPageToken({ location: { href: 'http://127.0.0.1:8123/?token=abc&x=1#/runs/r1' }, history })
    expect(replaced).toEqual([[{ keep: 1 }, '', 'http://127.0.0.1:8123/?x=1#/runs/r1']])
    forgetPageToken({ location: { href: 'http://127.0.0.1:8123/#/new' }, history })
    forgetPageToken({ location: { href: 'app://consistency-lab/index.html' }, history })
    expect(replaced).toHaveLength(1)
  })
})
