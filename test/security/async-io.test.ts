/**
 * Issue #15.3 / #15.4, the file work of the API: importing or exporting a large run folder or a teacher
 * checkpoint reads and writes asynchronously, so `clab serve` answers the other requests in the meantime
 * (checked by the order of answers on one socket, never by a time); sample files are capped, on import and
 * when `samples.png` reads one; and an answer that cannot be encoded is answered as an error with its id
 * instead of taking the server down. Real data folder, real files, real WebSockets on 127.0.0.1.
 */
import {
  closeSync,
  copyFileSync,
  existsSync,
  ftruncateSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import type { ApiResult, WireMessage } from '@shared/ipc/api'
import { MAX_SAMPLE_FILE_BYTES } from '@shared/store/run-file'
import type { Api } from '../../src-main/api/handlers'
import { startServer, type RunningServer } from '../../src-main/serve/server'
import { runPaths } from '../../src-main/store'
import { startBackend, type Backend } from '../api/harness'
import { value, error } from '../helpers/api-result'
import { exportedRun, sampleEntry } from '../helpers/run-fixture'

let backend: Backend

beforeAll(async () => {
  backend = await startBackend('security-async-io')
})

afterAll(async () => {
  await backend?.close()
})

type Reply = { id: number | null; result: ApiResult<unknown> }

/** A raw WebSocket on `server`: requests by id, every answer recorded in the order it arrived. */
async function socket(server: RunningServer) {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api?token=${server.token}`, { maxPayload: 0 })
  await new Promise((resolve, reject) => {
    ws.once('open', resolve)
    ws.once('error', reject)
  })
  const replies: Reply[] = []
  const waiters = new Map<number, (reply: Reply) => void>()
  ws.on('message', (data) => {
    const message = JSON.parse(data.toString()) as WireMessage
    if (!('id' in message) || !('result' in message)) return
    const reply = message as unknown as Reply
    replies.push(reply)
    if (reply.id !== null) waiters.get(reply.id)?.(reply)
  })
  let next = 0
  return {
    ws,
    /** The ids of the answers so far, in arrival order. */
    order: () => replies.map((r) => r.id),
    answered: (id: number) => replies.some((r) => r.id === id),
    send(method: string, payload?: unknown): { id: number; reply: Promise<Reply> } {
      const id = ++next
      const reply = new Promise<Reply>((resolve) => waiters.set(id, resolve))
      ws.send(JSON.stringify({ id, method, ...(payload === undefined ? {} : { payload }) }))
      return { id, reply }
    },
  }
}

/** A file of `bytes` zero bytes, written sparse (instant, and no disk used until copied). */
function sparseFile(path: string, bytes: number): void {
  const fd = openSync(path, 'w')
  try {
    ftruncateSync(fd, bytes)
  } finally {
    closeSync(fd)
  }
}

/** A metrics.csv of `points` points (two series), about 38 bytes a line, written in pieces. */
function metricsCsv(path: string, points: number): void {
  const fd = openSync(path, 'w')
  try {
    writeSync(fd, 'key,step,value,wall_ms\n')
    for (let start = 0; start < points; start += 100_000) {
      const lines: string[] = []
      for (let i = start; i < Math.min(points, start + 100_000); i++)
        lines.push(`${i % 2 ? 'loss' : 'grad'},${i >> 1},0.${String(i).padStart(9, '7')},${1_767_225_600_000 + i}`)
      writeSync(fd, `${lines.join('\n')}\n`)
    }
  } finally {
    closeSync(fd)
  }
}

let fixtures = 0

/** An exported run folder at `<data>/exports/<name>` with the given sample and checkpoint files (written by `write`). */
function runFolder(
  name: string,
  files: { samples?: Array<{ path: string; kind: 'csv2d' | 'png' }>; checkpoint?: string },
  write: (dir: string) => void,
): string {
  const dir = join(backend.dataDir, 'exports', name)
  mkdirSync(join(dir, 'samples'), { recursive: true })
  mkdirSync(join(dir, 'checkpoints'), { recursive: true })
  const run = exportedRun(`20260101-000000-async${++fixtures}`, {
    samples: (files.samples ?? []).map((s, i) => sampleEntry(s.path, i + 1, s.kind)),
    checkpoints: files.checkpoint ? [{ step: 100, path: files.checkpoint }] : [],
  })
  writeFileSync(join(dir, 'run.json'), JSON.stringify(run))
  writeFileSync(
    join(dir, 'evaluations.json'),
    JSON.stringify([{ step: 100, metric: 'swd', model: 'student', nfe: 1, value: 0.1 }]),
  )
  write(dir)
  return dir
}

/** Temporary import folders (runs/.import-*, teachers/.import-*) that exist right now. */
const staging = () =>
  [...readdirSync(join(backend.dataDir, 'runs')), ...readdirSync(join(backend.dataDir, 'teachers'))].filter((e) =>
    e.startsWith('.import-'),
  )

const tick = () => new Promise((resolve) => setTimeout(resolve, 1))

describe('#15.3 #15.4 large imports and exports do not hold the server', () => {
  const METRIC_POINTS = 1_300_000
  const CHECKPOINT_BYTES = 100 << 20

  it('#15.3 a run folder with a ~50 MB metrics.csv and a 100 MB checkpoint imports while system.info calls sent after it are answered first', async () => {
    const folder = runFolder(
      'big-run',
      { checkpoint: 'checkpoints/final.ckpt', samples: [{ path: 'samples/student.csv', kind: 'csv2d' }] },
      (dir) => {
        metricsCsv(join(dir, 'metrics.csv'), METRIC_POINTS)
        sparseFile(join(dir, 'checkpoints', 'final.ckpt'), CHECKPOINT_BYTES)
        writeFileSync(join(dir, 'samples', 'student.csv'), 'x,y\n0,0\n1,1\n')
      },
    )
    expect(lstatSync(join(folder, 'metrics.csv')).size).toBeGreaterThan(45e6)
    const client = await socket(backend.server)
    try {
      const runsBefore = backend.store.runs.listRuns().length
      const imported = client.send('runs.import', { path: 'exports/big-run' })
      const right = client.send('system.info')
      // The server is in the middle of the import (its files are being copied into the staging folder) and
      // the test's own timers still run: nothing holds the event loop. Another call now must come back first.
      while (staging().length === 0 && !client.answered(imported.id)) await tick()
      const during = client.send('system.info')
      await Promise.all([imported.reply, right.reply, during.reply])
      expect(client.order()).toEqual([right.id, during.id, imported.id])
      expect(value((await right.reply).result)).toMatchObject({ dataDir: backend.dataDir })
      const run = value((await imported.reply).result) as { id: string }
      expect(backend.store.runs.listRuns().length).toBe(runsBefore + 1)
      const series = backend.store.metrics.listSeries(run.id)
      expect(series.reduce((n, s) => n + s.count, 0)).toBe(METRIC_POINTS)
      expect(lstatSync(join(runPaths(backend.dataDir, run.id).dir, 'checkpoints', 'final.ckpt')).size).toBe(
        CHECKPOINT_BYTES,
      )
      expect(staging()).toEqual([])

      // And back out: the export copies the same 100 MB while the next call is answered first.
      const exported = client.send('runs.export', { id: run.id, path: 'exports/big-run-again' })
      const meanwhile = client.send('system.info')
      await Promise.all([exported.reply, meanwhile.reply])
      expect(client.order().slice(-2)).toEqual([meanwhile.id, exported.id])
      value((await exported.reply).result)
      expect(lstatSync(join(backend.dataDir, 'exports', 'big-run-again', 'checkpoints', 'final.ckpt')).size).toBe(
        CHECKPOINT_BYTES,
      )
      // metrics.csv is read from the history a window of steps at a time: every point once, none twice.
      const csv = readFileSync(join(backend.dataDir, 'exports', 'big-run-again', 'metrics.csv'), 'utf8')
        .trimEnd()
        .split('\n')
      expect(csv.length).toBe(METRIC_POINTS + 1)
      expect(new Set(csv).size).toBe(METRIC_POINTS + 1)
    } finally {
      client.ws.close()
    }
  }, 120_000)

  it('#15.3 teachers.import and teachers.export read and write asynchronously: a call sent after each is answered first', async () => {
    copyFileSync(backend.teacherPath, join(backend.dataDir, 'exports', 'async-teacher.ckpt'))
    const client = await socket(backend.server)
    try {
      const imported = client.send('teachers.import', { path: 'exports/async-teacher.ckpt', name: 'async' })
      const first = client.send('system.info')
      await Promise.all([imported.reply, first.reply])
      const teacher = value((await imported.reply).result) as { id: string }
      const exported = client.send('teachers.export', { id: teacher.id, path: 'exports/async-teacher-out.ckpt' })
      const second = client.send('system.info')
      await Promise.all([exported.reply, second.reply])
      expect(client.order()).toEqual([first.id, imported.id, second.id, exported.id])
      expect(lstatSync(join(backend.dataDir, 'exports', 'async-teacher-out.ckpt')).size).toBe(
        lstatSync(backend.teacherPath).size,
      )
    } finally {
      client.ws.close()
    }
  })
})

describe('#15.3 sample files are capped', () => {
  it('#15.3 an imported sample over MAX_SAMPLE_FILE_BYTES is refused naming the file, and nothing is left behind', async () => {
    runFolder('huge-sample', { samples: [{ path: 'samples/huge.png', kind: 'png' }] }, (dir) => {
      writeFileSync(join(dir, 'metrics.csv'), 'key,step,value,wall_ms\nloss,1,0.5,1767225600000\n')
      sparseFile(join(dir, 'samples', 'huge.png'), MAX_SAMPLE_FILE_BYTES + 1)
    })
    const runsBefore = backend.store.runs.listRuns().length
    const refused = error(await backend.clients.websocket.call('runs.import', { path: 'exports/huge-sample' }))
    expect(refused).toMatchObject({ code: 'RUN_FOLDER', field: 'path' })
    expect(refused.message).toContain('samples/huge.png')
    expect(refused.message).toContain(`more than the ${MAX_SAMPLE_FILE_BYTES} allowed for a sample`)
    expect(backend.store.runs.listRuns().length).toBe(runsBefore)
    expect(staging()).toEqual([])
  })

  it('#15.3 samples.png refuses a sample file over the cap or behind a link (read asynchronously), and still serves a real one', async () => {
    const run = backend.store.runs.createRun({ kind: 'distill', config: {}, appVersion: '0.0.0', status: 'finished' })
    const samples = join(runPaths(backend.dataDir, run.id).dir, 'samples')
    mkdirSync(samples, { recursive: true })
    // Planted directly (an import no longer takes it): a history written before the cap, or edited by hand.
    sparseFile(join(samples, 'huge.png'), MAX_SAMPLE_FILE_BYTES + 1)
    writeFileSync(join(backend.root, 'secret.png'), 'not yours')
    symlinkSync(join(backend.root, 'secret.png'), join(samples, 'linked.png'))
    writeFileSync(join(samples, 'small.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]))
    const add = (path: string) =>
      backend.store.samples.addSample(run.id, {
        step: 1,
        nfe: 1,
        kind: 'png',
        model: 'student',
        role: 'final',
        noiseSeed: 1,
        path,
      }).id
    const [huge, linked, small, missing] = [
      'samples/huge.png',
      'samples/linked.png',
      'samples/small.png',
      'samples/gone.png',
    ].map(add) as [number, number, number, number]
    for (const transport of ['in-process', 'websocket'] as const) {
      const client = backend.clients[transport]
      const big = error(await client.call('samples.png', { id: huge }))
      expect(big, transport).toMatchObject({ code: 'RUN_FOLDER', field: 'id' })
      expect(big.message).toContain('huge.png')
      expect(big.message).toContain(String(MAX_SAMPLE_FILE_BYTES))
      const link = error(await client.call('samples.png', { id: linked }))
      expect(link, transport).toMatchObject({ code: 'RUN_FOLDER', field: 'id' })
      expect(link.message).toContain('symbolic link')
      expect(error(await client.call('samples.png', { id: missing })), transport).toMatchObject({
        code: 'NOT_FOUND',
        field: 'id',
      })
      const ok = value(await client.call('samples.png', { id: small })) as { bytes: Uint8Array }
      expect(Array.from(ok.bytes), transport).toEqual([0x89, 0x50, 0x4e, 0x47])
    }
    expect(existsSync(join(backend.root, 'secret.png'))).toBe(true)
  })
})

describe('#15.4 an answer that cannot be encoded', () => {
  /** A test double of the API: `bad` answers a value JSON cannot hold, `throws` rejects, the rest answer ok. */
  const doubleApi: Api = {
    call: async (method) => {
      if (method === 'bad') return { ok: true, value: { huge: 10n } }
      if (method === 'throws') throw new Error('the handler failed')
      return { ok: true, value: { method } }
    },
    subscribe: () => () => {},
  }

  it('#15.4 is answered as an error with its id, and the server answers the next call on the same socket', async () => {
    const server = await startServer({ api: doubleApi, host: '127.0.0.1', port: 0 })
    const client = await socket(server)
    try {
      const bad = client.send('bad')
      const throws = client.send('throws')
      const next = client.send('system.info')
      const [badReply, throwsReply, nextReply] = await Promise.all([bad.reply, throws.reply, next.reply])
      expect(error(badReply.result)).toMatchObject({ code: 'INTERNAL', field: 'payload' })
      expect(error(badReply.result).message).toMatch(/the answer to bad could not be sent .*BigInt/)
      expect(error(throwsReply.result)).toMatchObject({ code: 'INTERNAL', field: 'payload' })
      expect(error(throwsReply.result).message).toContain('the handler failed')
      expect(value(nextReply.result)).toEqual({ method: 'system.info' })
      // Still up for a new connection too.
      const again = await socket(server)
      expect(value((await again.send('system.info').reply).result)).toEqual({ method: 'system.info' })
      again.ws.close()
    } finally {
      client.ws.close()
      await server.close()
    }
  })
})
