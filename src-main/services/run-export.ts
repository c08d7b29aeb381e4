/**
 * A run as a folder: `run.json` (the run with its config as asked and, beside it, the effective config it
 * trained with, its status and lineage, its samples and checkpoints),
 * `metrics.csv` (every point: key,step,value,wall_ms), `evaluations.json`, and the run's files (samples/ as
 * CSV and PNG, checkpoints/, teacher.ckpt) with their relative paths. Written only where the data folder's
 * export policy allows, as new files only, all or nothing; the files are read and written asynchronously.
 */
import { join } from 'node:path'
import { setImmediate } from 'node:timers/promises'
import type { CheckpointRecord, Run, SampleRecord } from '@shared/store/types'
import { pointsCsv, type ExportEntry } from '../files/export-run'
import { writeExportFilesAsync } from '../files/export-files'
import { lstatOrNullAsync, readRegularFileAsync, UnsafePathError } from '../files/safe-fs'
import { checkExportTarget, isWithin } from '../files/safe-paths'
import { pointsFromBlob } from '../files/sample-points'
import { readPointsCsv } from '../files/scatter-png'
import { sampleFigureText, scatterFigure } from '../files/scatter-figure'
import { runColour } from '@shared/run-colour'
import { runPaths, type LabStore } from '../store'
import { MAX_RUN_FILE_BYTES } from './run-folder'

/** run.json as written (what `RunFileSchema` in run-file.ts reads back). */
interface ExportedRunFile extends Run {
  samples: SampleRecord[]
  checkpoints: CheckpointRecord[]
}

/** Exports run `id` into the folder `out` (new or empty); returns the absolute paths written. */
export async function exportRunFolder(store: LabStore, id: string, out: string): Promise<string[]> {
  const run = store.runs.getRun(id)
  const folder = checkExportTarget(store.paths.root, out)
  const dir = runPaths(store.paths.root, id).dir
  const entries = new Map<string, ExportEntry>()
  // Blob samples (live previews) leave as CSV files, so the folder is self-contained and imports as files.
  const samples = store.samples.listSamples(id).map((s) => {
    const blob = s.hasBlob ? store.samples.readBlob(s.id) : undefined
    if (!blob) return s
    const rel = `samples/preview-step${s.step}-${s.model.replace(/[^A-Za-z0-9_-]/g, '_')}-nfe${s.nfe}.csv`
    entries.set(rel, { bytes: pointsCsv(pointsFromBlob(blob), 2) })
    return { ...s, kind: 'csv2d', path: rel, hasBlob: false, bytes: null }
  })
  const checkpoints = store.checkpoints.listCheckpoints(id)
  entries.set('run.json', {
    bytes: `${JSON.stringify({ ...run, samples, checkpoints } satisfies ExportedRunFile, null, 2)}\n`,
  })
  entries.set('metrics.csv', { bytes: await metricsCsv(store, id) })
  entries.set('evaluations.json', { bytes: `${JSON.stringify(store.evaluations.listEvaluations(id), null, 2)}\n` })
  // Image runs also leave the teacher | 1-step | 2-step | |difference| grid, which is not a sample record.
  const rels = [
    ...samples.map((s) => s.path),
    ...checkpoints.map((c) => c.path),
    ...(run.kind === 'teacher' ? ['teacher.ckpt', 'teacher.json'] : []),
    'samples/compare.png',
  ]
  for (const rel of rels) {
    if (!rel || entries.has(rel)) continue
    const from = await historyFile(dir, rel)
    if (from) entries.set(rel, { from, max: MAX_RUN_FILE_BYTES })
  }
  await addSamplePngs(entries, samples, run.name)
  return writeExportFilesAsync(folder, entries)
}

/** Points read and written to metrics.csv between two turns of the event loop (tens of milliseconds). */
const POINTS_PER_TURN = 20_000

/**
 * metrics.csv (`key,step,value,wall_ms`, each series in step order), read a window of steps at a time with a
 * turn of the event loop between windows: millions of points take seconds, and the server answers its other
 * clients meanwhile. The windows cover every step from 0 up (the first from 0, the last to the end).
 */
async function metricsCsv(store: LabStore, id: string): Promise<Buffer> {
  // Each window's text becomes bytes at once: one join of millions of lines would hold the loop itself.
  const parts: Buffer[] = [Buffer.from('key,step,value,wall_ms\n')]
  for (const s of store.metrics.listSeries(id)) {
    const first = s.firstStep ?? 0
    const last = s.lastStep ?? 0
    const width = Math.max(1, Math.ceil((last - first + 1) / Math.max(1, Math.ceil(s.count / POINTS_PER_TURN))))
    for (let from = 0; ;) {
      const end = (from === 0 ? first : from) + width - 1
      const to = end >= last ? Number.MAX_SAFE_INTEGER : end
      const lines = store.metrics
        .readSeries(id, s.key, { fromStep: from, toStep: to })
        .map((p) => `${s.key},${p.step},${p.value},${p.wallMs}\n`)
      parts.push(Buffer.from(lines.join('')))
      if (to === Number.MAX_SAFE_INTEGER) break
      from = to + 1
      await setImmediate()
    }
  }
  return Buffer.concat(parts)
}

/** The run folder's file `rel`, or null when it is missing; a link or anything but a regular file is refused. */
async function historyFile(dir: string, rel: string): Promise<string | null> {
  const from = join(dir, rel)
  if (!isWithin(dir, from)) throw new UnsafePathError(from, `is not inside the run folder ${dir}`)
  const stat = await lstatOrNullAsync(from)
  if (!stat) return null
  if (!stat.isFile())
    throw new UnsafePathError(
      from,
      `is ${stat.isSymbolicLink() ? 'a symbolic link' : 'not a regular file'}; the export does not follow it`,
    )
  return from
}

async function csvText(entry: ExportEntry | undefined): Promise<string | null> {
  if (!entry) return null
  if ('bytes' in entry) return typeof entry.bytes === 'string' ? entry.bytes : Buffer.from(entry.bytes).toString('utf8')
  return (await readRegularFileAsync(entry.from, entry.max)).toString('utf8')
}

/** Each exported 2D sample CSV also as a PNG scatter over the held-out data (samples/<name>.png). */
async function addSamplePngs(
  entries: Map<string, ExportEntry>,
  samples: SampleRecord[],
  runName: string | undefined,
): Promise<void> {
  const dataCsv = samples.find((s) => s.model === 'data' && s.path?.endsWith('.csv'))?.path
  const dataText = dataCsv ? await csvText(entries.get(dataCsv)) : null
  const background = dataText === null ? null : readPointsCsv(dataText)
  for (const s of samples) {
    if (!s.path?.endsWith('.csv')) continue
    const text = await csvText(entries.get(s.path))
    if (text === null) continue
    const png = scatterFigure(readPointsCsv(text), {
      ...sampleFigureText(s, runName),
      colour: s.model === 'data' ? '#5a6473' : runColour(s.runId),
      background: s.model === 'data' ? null : background,
    })
    entries.set(s.path.replace(/\.csv$/, '.png'), { bytes: png })
  }
}
