/**
 * #15.5: a symbolic link is never read as a dataset file (over the API, by `clab data import`, by the readers).
 * #15.7: dataset imports and uploads cannot fill the disk. Gzip bombs are built here from a few MB of
 * zeros (a few KB compressed); the upload limits are reached with sparse files (truncate), so the tests
 * never write more than a few MB however large the sizes they exercise.
 */
import { randomBytes } from 'node:crypto'
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from 'node:fs'
import { basename, join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterEach, describe, expect, it } from 'vitest'
import type { ApiResult } from '@shared/ipc/api'
import { createApi } from '../../src-main/api/handlers'
import { DatasetFileError } from '../../src-main/data/errors'
import { readCifarBatch } from '../../src-main/data/cifar'
import { openIdx } from '../../src-main/data/idx'
import { DatasetService } from '../../src-main/services/dataset-service'
import { RunService } from '../../src-main/services/run-service'
import { openLabStore, type LabStore } from '../../src-main/store'
import { clab } from '../helpers/cli'
import { tempFolders } from '../helpers/temp'
import { cifarBytes, idxBytes, writeIdxPair } from '../data/helpers'

const folders = tempFolders()

const MiB = 1024 ** 2
const GiB = 1024 ** 3

const opened: Array<{ store: LabStore; service?: RunService }> = []
afterEach(async () => {
  for (const { store, service } of opened.splice(0)) {
    await service?.close()
    store.close()
  }
})

function lab(): { dataDir: string; store: LabStore } {
  const dataDir = folders.fresh('sec-datasets')
  const store = openLabStore({ dataDir })
  opened.push({ store })
  return { dataDir, store }
}

function api(store: LabStore) {
  const service = new RunService({ store })
  ;(opened[opened.length - 1] as { service?: RunService }).service = service
  return createApi(service, store)
}

/** An IDX header for `dims` followed by `zeros` zero bytes, gzip-compressed (one member). */
const zeroIdxGz = (dims: number[], zeros: number) => gzipSync(idxBytes(dims, new Uint8Array(zeros)))

/** Bytes of every file under `dir` (0 when it does not exist). */
function treeBytes(dir: string): number {
  if (!existsSync(dir)) return 0
  let total = 0
  for (const entry of readdirSync(dir, { recursive: true }) as string[]) {
    const stat = lstatSync(join(dir, entry), { throwIfNoEntry: false })
    if (stat?.isFile()) total += stat.size
  }
  return total
}

/** Runs `work` while sampling how many bytes `dir` holds; resolves with the largest size seen and the outcome. */
async function largestDuring<T>(
  dir: string,
  work: () => Promise<T>,
): Promise<{ largest: number; outcome: PromiseSettledResult<T> }> {
  let largest = treeBytes(dir)
  const timer = setInterval(() => (largest = Math.max(largest, treeBytes(dir))), 1)
  try {
    const [outcome] = await Promise.allSettled([work()])
    return { largest: Math.max(largest, treeBytes(dir)), outcome: outcome as PromiseSettledResult<T> }
  } finally {
    clearInterval(timer)
  }
}

function refusal(outcome: PromiseSettledResult<unknown>): DatasetFileError {
  expect(outcome.status).toBe('rejected')
  const reason = (outcome as PromiseRejectedResult).reason as unknown
  expect(reason).toBeInstanceOf(DatasetFileError)
  return reason as DatasetFileError
}

function failure<T>(result: ApiResult<T>) {
  if (result.ok) throw new Error(`expected a refusal, got ${JSON.stringify(result.value)}`)
  return result.error
}

describe('#15.7 dataset imports and uploads are bounded', () => {
  it('#15.7 a small .gz whose IDX header declares a huge count is refused before anything is written', async () => {
    const { dataDir, store } = lab()
    const dir = folders.fresh('sec-bomb')
    const images = join(dir, 'bomb-images-idx3-ubyte.gz')
    const labels = join(dir, 'bomb-labels-idx1-ubyte.gz')
    // 3 million 28×28 images (2.35 GB) promised by a few KB: no .gz that small can hold them.
    writeFileSync(images, zeroIdxGz([3_000_000, 28, 28], 4 * MiB))
    writeFileSync(labels, zeroIdxGz([3_000_000], 3_000_000))
    const size = statSync(images).size
    expect(size).toBeLessThan(64 * 1024)

    const { largest, outcome } = await largestDuring(dataDir, () => new DatasetService(store).import([images, labels]))
    const error = refusal(outcome)
    expect(error.problem).toBe('BAD_SIZE')
    expect(error.message).toBe(
      `${images}: the header declares 3000000×28×28 = 2352000000 data bytes, but a ${size}-byte .gz file decompresses to at most ` +
        `${1032 * size} bytes (gzip expands at most 1032:1): the header does not describe this file`,
    )
    // Nothing beyond the history itself: no datasets/ temp folder, no pixels.
    expect(largest).toBeLessThan(treeBytes(dataDir) + 64 * 1024)
    expect(existsSync(join(dataDir, 'datasets')) ? readdirSync(join(dataDir, 'datasets')) : []).toEqual([])
    expect(store.datasets.listDatasets()).toEqual([])

    // Uploaded and imported over the API: the same refusal, named on `paths`, and the staging copies go.
    const client = api(store)
    const uploads: string[] = []
    for (const file of [images, labels]) {
      const result = await client.call('datasets.upload', {
        name: basename(file),
        bytes: new Uint8Array(readFileSync(file)),
      })
      expect(result.ok).toBe(true)
      uploads.push((result as { value: { path: string } }).value.path)
    }
    const refused = failure(await client.call('datasets.import', { paths: uploads }))
    expect(refused).toMatchObject({ code: 'DATASET_FILE', field: 'paths' })
    expect(refused.message).toMatch(
      /declares 3000000×28×28 = 2352000000 data bytes, but a \d+-byte \.gz file decompresses to at most/,
    )
    expect(readdirSync(join(dataDir, 'uploads'))).toEqual([])
  })

  it('#15.7 a plausible .gz over the import limit is refused before anything is written', async () => {
    const { dataDir, store } = lab()
    const dir = folders.fresh('sec-bomb')
    const images = join(dir, 'big-images-idx3-ubyte.gz')
    const labels = join(dir, 'big-labels-idx1-ubyte.gz')
    // 1.2 GB promised by 1.3 MB: plausible for gzip (under 1032:1), over the default 1 GiB limit. The
    // second gzip member is incompressible padding, so the file really holds only ~6 MB.
    const count = 1_530_613
    writeFileSync(
      images,
      Buffer.concat([zeroIdxGz([count, 28, 28], 4 * MiB), gzipSync(randomBytes(1.3 * MiB), { level: 0 })]),
    )
    writeFileSync(labels, Buffer.concat([zeroIdxGz([count], 10_000), gzipSync(randomBytes(4096), { level: 0 })]))

    const { largest, outcome } = await largestDuring(dataDir, () => new DatasetService(store).import([images, labels]))
    const error = refusal(outcome)
    expect(error.problem).toBe('TOO_LARGE')
    expect(error.message).toBe(
      `${images}: declares ${count}×28×28 = ${count * 784} data bytes, more than the import limit of ${GiB} bytes (set CLAB_MAX_IMPORT_BYTES to raise it)`,
    )
    expect(largest).toBeLessThan(treeBytes(dataDir) + 64 * 1024)
    expect(existsSync(join(dataDir, 'datasets')) ? readdirSync(join(dataDir, 'datasets')) : []).toEqual([])

    // The limit is an option of the service; the files of one import count together.
    const small = writeIdxPair(folders.fresh('sec-small'), 'a', { count: 20 })
    const other = writeIdxPair(folders.fresh('sec-small'), 'b', { count: 10 })
    const capped = new DatasetService(store, { maxImportBytes: 10_000 })
    await expect(capped.import([small.images, small.labels])).rejects.toThrow(
      `${small.images}: declares 20×28×28 = 15680 data bytes, more than the import limit of 10000 bytes (set CLAB_MAX_IMPORT_BYTES to raise it)`,
    )
    const together = new DatasetService(store, { maxImportBytes: 20_000 })
    await expect(together.import([small.images, small.labels, other.images, other.labels])).rejects.toThrow(
      `${other.images}: declares 10×28×28 = 7840 data bytes; with the files before it this import would store 23540 bytes, more than the import limit of 20000 bytes`,
    )
    expect(store.datasets.listDatasets()).toEqual([])
    expect((await together.import([small.images, small.labels])).datasets[0]?.dataset.count).toBe(20)
  })

  it('#15.7 CLAB_MAX_IMPORT_BYTES sets the limit of `clab data import`; a bad value is named', async () => {
    const pair = writeIdxPair(folders.fresh('sec-small'), 'c', { count: 20 })
    const dataDir = folders.fresh('sec-cli')
    const [over, bad] = await Promise.all([
      clab(['data', 'import', pair.images, pair.labels, '--data-dir', dataDir], {
        env: { CLAB_MAX_IMPORT_BYTES: '10K' },
      }),
      clab(['data', 'import', pair.images, pair.labels, '--data-dir', folders.fresh('sec-cli')], {
        env: { CLAB_MAX_IMPORT_BYTES: 'lots' },
      }),
    ])
    expect(over.code, over.stderr).toBe(2)
    expect(over.stderr).toContain(
      `clab: ${pair.images}: declares 20×28×28 = 15680 data bytes, more than the import limit of 10240 bytes`,
    )
    expect(bad.code, bad.stderr).toBe(2)
    expect(bad.stderr).toContain(
      'clab: CLAB_MAX_IMPORT_BYTES must be a size in bytes greater than 0, e.g. 2147483648 or 2G (got "lots")',
    )
  })

  it('#15.7 a .gz that decompresses to more than its header declares stops there and writes nothing', async () => {
    const dir = folders.fresh('sec-bomb')
    const images = join(dir, 'long-images-idx3-ubyte.gz')
    const labels = join(dir, 'long-labels-idx1-ubyte.gz')
    // 10 images (7840 bytes) declared, 8 MiB of data behind them.
    writeFileSync(images, zeroIdxGz([10, 28, 28], 8 * MiB))
    writeFileSync(labels, zeroIdxGz([10], 10))

    const stream = await openIdx(images)
    let handedOn = 0
    const read = async () => {
      for await (const chunk of stream.chunks) handedOn += chunk.length
    }
    await expect(read()).rejects.toMatchObject({ problem: 'TRAILING_DATA' })
    expect(handedOn).toBeLessThanOrEqual(7840)

    const { dataDir, store } = lab()
    const { largest, outcome } = await largestDuring(dataDir, () => new DatasetService(store).import([images, labels]))
    expect(refusal(outcome).message).toBe(
      `${images}: 10×28×28 promises 7840 data bytes but more follow: the header does not describe this file`,
    )
    expect(largest).toBeLessThan(treeBytes(dataDir) + 7840 + 64 * 1024)
    expect(readdirSync(join(dataDir, 'datasets'))).toEqual([])
  })

  it('#15.7 a chunked upload past the per-file limit is refused and its partial file keeps its size', async () => {
    const { store } = lab()
    const client = api(store)
    const first = await client.call('datasets.upload', { name: 'big-images-idx3-ubyte.gz', bytes: new Uint8Array(100) })
    const path = (first as { value: { path: string } }).value.path
    // The copy as if 1 GiB less 10 bytes had arrived (a sparse file: nothing is written).
    truncateSync(path, GiB - 10)
    const refused = failure(
      await client.call('datasets.upload', {
        name: 'big-images-idx3-ubyte.gz',
        bytes: new Uint8Array(100),
        to: path,
        offset: GiB - 10,
      }),
    )
    expect(refused).toMatchObject({ code: 'INVALID_PAYLOAD', field: 'bytes' })
    expect(refused.message).toBe(
      `a chunk of 100 bytes for ${path} at offset ${GiB - 10} would make it ${GiB + 90} bytes, more than the ${GiB} bytes (1 GiB) one upload may hold; nothing was written`,
    )
    expect(statSync(path).size).toBe(GiB - 10)
    // Up to the limit is fine.
    const last = await client.call('datasets.upload', {
      name: 'big-images-idx3-ubyte.gz',
      bytes: new Uint8Array(10),
      to: path,
      offset: GiB - 10,
    })
    expect(last).toEqual({ ok: true, value: { path, bytes: GiB } })
  })

  it('#15.7 staged uploads together are capped: a new upload past the folder limit is refused and creates nothing', async () => {
    const { dataDir, store } = lab()
    const client = api(store)
    for (let i = 0; i < 4; i++) {
      const started = await client.call('datasets.upload', { name: `part-${i}.bin`, bytes: new Uint8Array(1) })
      truncateSync((started as { value: { path: string } }).value.path, GiB)
    }
    const before = readdirSync(join(dataDir, 'uploads')).sort()
    const refused = failure(await client.call('datasets.upload', { name: 'one-more.bin', bytes: new Uint8Array(1) }))
    expect(refused).toMatchObject({ code: 'INVALID_PAYLOAD', field: 'bytes' })
    expect(refused.message).toBe(
      `a chunk of 1 bytes for a new upload of one-more.bin would bring the uploads waiting to be imported to ${4 * GiB + 1} bytes, more than the ` +
        `${4 * GiB} bytes (4 GiB) the uploads folder may hold; import them (or wait a day for abandoned ones to expire); nothing was written`,
    )
    expect(readdirSync(join(dataDir, 'uploads')).sort()).toEqual(before)
  })

  it('#15.7 staged uploads untouched for a day are removed at start; recent ones stay', () => {
    const { dataDir, store } = lab()
    const uploads = join(dataDir, 'uploads')
    const twoDaysAgo = new Date(Date.now() - 2 * 24 * 3600 * 1000)
    const make = (name: string, old: { dir: boolean; file: boolean }) => {
      mkdirSync(join(uploads, name), { recursive: true })
      writeFileSync(join(uploads, name, 'train-images-idx3-ubyte.gz'), 'staged')
      if (old.file) utimesSync(join(uploads, name, 'train-images-idx3-ubyte.gz'), twoDaysAgo, twoDaysAgo)
      if (old.dir) utimesSync(join(uploads, name), twoDaysAgo, twoDaysAgo)
    }
    make('stale', { dir: true, file: true })
    make('fresh', { dir: false, file: false })
    // Begun two days ago, a chunk appended just now: still in progress.
    make('in-progress', { dir: true, file: false })
    writeFileSync(join(uploads, 'loose-file'), 'x')
    utimesSync(join(uploads, 'loose-file'), twoDaysAgo, twoDaysAgo)

    api(store)
    expect(readdirSync(uploads).sort()).toEqual(['fresh', 'in-progress'])
  })
})

describe('#15.5 dataset imports never follow a symbolic link', () => {
  /** The data folder's datasets/ entries (temp folders included), or [] before the first import. */
  const storedIn = (dataDir: string) =>
    existsSync(join(dataDir, 'datasets')) ? readdirSync(join(dataDir, 'datasets')) : []

  it('#15.5 a link in the data folder to a real IDX file is refused over the API (datasets.import), naming the link; nothing stored', async () => {
    const { dataDir, store } = lab()
    // Real files inside the data folder (the API would import them), and links to them beside.
    mkdirSync(join(dataDir, 'real'))
    const real = writeIdxPair(join(dataDir, 'real'), 't10k', { count: 20 })
    writeFileSync(join(dataDir, 'real', 'data_batch_1.bin'), cifarBytes(2))
    mkdirSync(join(dataDir, 'links'))
    const images = join(dataDir, 'links', basename(real.images))
    const batch = join(dataDir, 'links', 'data_batch_1.bin')
    symlinkSync(real.images, images)
    symlinkSync(join(dataDir, 'real', 'data_batch_1.bin'), batch)

    const client = api(store)
    for (const [paths, link] of [
      [[images, real.labels], images],
      [[real.images, real.labels, batch], batch],
    ] as const) {
      const refused = failure(await client.call('datasets.import', { paths: [...paths] }))
      expect(refused).toMatchObject({ code: 'DATASET_FILE', field: 'paths' })
      expect(refused.message).toBe(`${link}: is a symbolic link (links are refused)`)
    }
    expect(store.datasets.listDatasets()).toEqual([])
    expect(storedIn(dataDir)).toEqual([])

    // The readers themselves open without following a link, whatever checked the path before.
    await expect(openIdx(images)).rejects.toMatchObject({
      problem: 'UNREADABLE',
      message: `${images}: is a symbolic link (links are refused)`,
    })
    const reading = readCifarBatch(batch, { file: batch, bytes: 2 * 3073, count: 2 })
    await expect(reading.next()).rejects.toMatchObject({
      problem: 'UNREADABLE',
      message: `${batch}: is a symbolic link (links are refused)`,
    })

    // The real files import as usual.
    const ok = await client.call('datasets.import', { paths: [real.images, real.labels] })
    expect(
      ok.ok ? (ok.value as { datasets: Array<{ dataset: { count: number } }> }).datasets[0]?.dataset.count : ok.error,
    ).toBe(20)
  })

  it('#15.5 clab data import refuses a link to a real IDX file, naming it; nothing stored', async () => {
    const source = folders.fresh('sec-link')
    const real = writeIdxPair(source, 'train', { count: 20 })
    const dataDir = folders.fresh('sec-cli')
    const images = join(dataDir, 'train-images-idx3-ubyte.gz')
    symlinkSync(real.images, images)
    const result = await clab(['data', 'import', images, real.labels, '--data-dir', dataDir])
    expect(result.code, result.stderr).toBe(2)
    expect(result.stderr).toContain(`clab: ${images}: is a symbolic link (links are refused)`)
    expect(storedIn(dataDir)).toEqual([])
    const store = openLabStore({ dataDir })
    opened.push({ store })
    expect(store.datasets.listDatasets()).toEqual([])
  })
})
