/**
 * The API contract for image datasets, against both transports over one backend (as contract.test.ts):
 * imports from inside the data folder only, once; uploads into uploads/; previews as PNG grids; bad files and
 * payloads refused naming them.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, sep } from 'node:path'
import { PNG } from 'pngjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ApiClient } from '@shared/ipc/api'
import { writeIdxPair } from '../data/helpers'
import { startBackend, type Backend } from './harness'
import { value, error } from '../helpers/api-result'

let backend: Backend

beforeAll(async () => {
  backend = await startBackend('api-contract-datasets')
})

afterAll(async () => {
  await backend?.close()
})

const TRANSPORTS = ['in-process', 'websocket'] as const

describe.each(TRANSPORTS)('image datasets over the %s transport', (transport) => {
  let client: ApiClient

  beforeAll(() => {
    client = backend.clients[transport]
  })

  it('imports image datasets from inside the data folder, once, and refuses bad files naming them', async () => {
    const dir = join(backend.dataDir, 'incoming', `idx-${transport}`)
    mkdirSync(dir, { recursive: true })
    const pair = writeIdxPair(dir, 'train', { count: 12, gzip: true })
    expect(error(await client.call('datasets.import', { paths: [join(backend.root, 'elsewhere.gz')] }))).toMatchObject({
      code: 'PATH_OUTSIDE_DATA_DIR',
      field: 'paths.0',
    })
    const imported = value(
      await client.call('datasets.import', {
        paths: [pair.images, pair.labels],
        name: `digits-${transport}`,
        kind: 'mnist',
      }),
    )
    expect(imported.datasets).toHaveLength(1)
    expect(imported.datasets[0]?.dataset).toMatchObject({
      count: 12,
      height: 28,
      width: 28,
      channels: 1,
      kind: 'mnist',
    })
    // Both transports import the same pixels: the second import finds the first's dataset.
    expect(imported.datasets[0]?.created).toBe(transport === 'in-process')
    const listed = value(await client.call('datasets.list', { kind: 'mnist' }))
    expect(listed.map((d) => d.id)).toContain(imported.datasets[0]?.dataset.id)
    const bad = join(dir, 'bad-images-idx3-ubyte')
    writeFileSync(bad, Buffer.from([0, 0, 9, 9, 0, 0, 0, 1]))
    const refused = error(await client.call('datasets.import', { paths: [bad] }))
    expect(refused.code).toBe('DATASET_FILE')
    expect(refused.message).toContain(bad)
    expect(value(await client.call('datasets.list')).length).toBe(listed.length)
    expect(error(await client.call('datasets.import', { paths: [] }))).toMatchObject({
      code: 'INVALID_PAYLOAD',
      field: 'paths',
    })
    // Files from the user's machine: uploaded into uploads/, imported by those paths, then the staging copies are gone.
    mkdirSync(join(backend.root, `up-src-${transport}`), { recursive: true })
    const upPair = writeIdxPair(join(backend.root, `up-src-${transport}`), 'up', {
      count: 6,
      gzip: true,
      labels: Uint8Array.from([1, 2, 3, 4, 5, 6]),
    })
    // The images file in three chunks, each appended where the copy ends.
    const imageBytes = new Uint8Array(readFileSync(upPair.images))
    const cut = [0, 100, 250, imageBytes.length]
    const first = value(
      await client.call('datasets.upload', { name: 'up-images-idx3-ubyte.gz', bytes: imageBytes.slice(0, 100) }),
    )
    expect(first.bytes).toBe(100)
    for (let i = 1; i < 3; i++) {
      const next = value(
        await client.call('datasets.upload', {
          name: 'up-images-idx3-ubyte.gz',
          bytes: imageBytes.slice(cut[i], cut[i + 1]),
          to: first.path,
          offset: cut[i] as number,
        }),
      )
      expect(next).toEqual({ path: first.path, bytes: cut[i + 1] })
    }
    expect(readFileSync(first.path).equals(Buffer.from(imageBytes))).toBe(true)
    // A repeated chunk (wrong offset), a chunk for no upload, and `to` without `offset` are refused and change nothing.
    expect(
      error(
        await client.call('datasets.upload', {
          name: 'x.gz',
          bytes: imageBytes.slice(0, 10),
          to: first.path,
          offset: 100,
        }),
      ),
    ).toMatchObject({ code: 'INVALID_PAYLOAD', field: 'offset' })
    expect(readFileSync(first.path).length).toBe(imageBytes.length)
    expect(
      error(
        await client.call('datasets.upload', {
          name: 'x.gz',
          bytes: imageBytes.slice(0, 10),
          to: upPair.images,
          offset: 0,
        }),
      ),
    ).toMatchObject({ code: 'PATH_OUTSIDE_DATA_DIR', field: 'to' })
    expect(
      error(
        await client.call('datasets.upload', {
          name: 'x.gz',
          bytes: imageBytes.slice(0, 10),
          to: pair.images,
          offset: 0,
        }),
      ),
    ).toMatchObject({ code: 'NOT_FOUND', field: 'to' })
    expect(
      error(await client.call('datasets.upload', { name: 'x.gz', bytes: imageBytes.slice(0, 10), to: first.path })),
    ).toMatchObject({ code: 'INVALID_PAYLOAD', field: 'offset' })
    const uploaded = [
      first,
      value(
        await client.call('datasets.upload', {
          name: '../../evil/up-labels-idx1-ubyte.gz',
          bytes: new Uint8Array(readFileSync(upPair.labels)),
        }),
      ),
    ]
    expect(uploaded.every((u) => u.path.startsWith(join(backend.dataDir, 'uploads')) && existsSync(u.path))).toBe(true)
    expect(uploaded[1]?.path.endsWith(`${sep}up-labels-idx1-ubyte.gz`)).toBe(true)
    const fromUpload = value(
      await client.call('datasets.import', {
        paths: uploaded.map((u) => u.path),
        name: `uploaded-${transport}`,
        kind: 'mnist',
      }),
    )
    expect(fromUpload.datasets[0]?.dataset).toMatchObject({ count: 6, kind: 'mnist' })
    expect(uploaded.some((u) => existsSync(u.path))).toBe(false)
    expect(error(await client.call('datasets.upload', { name: 'x.gz', bytes: 'not bytes' } as never))).toMatchObject({
      code: 'INVALID_PAYLOAD',
      field: 'bytes',
    })
    // A preview grid of the first images: 8 per row, pixels doubled, 1-px gaps.
    const preview = value(
      await client.call('datasets.preview', { id: imported.datasets[0]?.dataset.id as string, count: 10 }),
    )
    expect(preview).toMatchObject({ count: 10, mime: 'image/png' })
    const png = PNG.sync.read(Buffer.from(preview.bytes))
    expect([png.width, png.height]).toEqual([8 * 56 + 9, 2 * 56 + 3])
    expect(error(await client.call('datasets.preview', { id: 'nope' }))).toMatchObject({
      code: 'NOT_FOUND',
      field: 'id',
    })
  })
})
