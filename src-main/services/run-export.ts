/**
 * A run as a folder: `run.json` (the run with its config, status and lineage, its samples and checkpoints),
 * `metrics.csv` (every point: key,step,value,wall_ms), `evaluations.json`, and the run's files (samples/ as
 * CSV and PNG, checkpoints/, teacher.ckpt) with their relative paths. Written only where the data folder's
 * export policy allows, as new files only, all or nothing.
 */
import { join } from 'node:path'
import type { CheckpointRecord, Run, SampleRecord } from '@shared/store/types'
import { pointsCsv, writeExportFiles, type ExportEntry } from '../files/export-run'
import { lstatOrNull, readRegularFile, UnsafePathError } from '../files/safe-fs'
import { checkExportTarget, isWithin } from '../files/safe-paths'
import { pointsFromBlob } from '../files/sample-points'
import { readPointsCsv, scatterPng } from '../files/scatter-png'
import { runPaths, type LabStore } from '../store'
import { MAX_RUN_FILE_BYTES } from './run-folder'

export interface RunFile extends Run {
  samples: SampleRecord[]
  checkpoints: CheckpointRecord[]
}

/** Exports run `id` into the folder `out` (new or empty); returns the absolute paths written. */
export function exportRunFolder(store: LabStore, id: string, out: string): string[] {
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
  entries.set('run.json', { bytes: `${JSON.stringify({ ...run, samples, checkpoints } satisfies RunFile, null, 2)}\n` })
  const lines = ['key,step,value,wall_ms']
  for (const s of store.metrics.listSeries(id)) {
    for (const p of store.metrics.readSeries(id, s.key)) lines.push(`${s.key},${p.step},${p.value},${p.wallMs}`)
  }
  entries.set('metrics.csv', { bytes: `${lines.join('\n')}\n` })
  entries.set('evaluations.json', { bytes: `${JSON.stringify(store.evaluations.listEvaluations(id), null, 2)}\n` })
  // Image runs also leave the teacher | 1-step | 2-step | |difference| grid, which is not a sample record.
  const rels = [...samples.map((s) => s.path), ...checkpoints.map((c) => c.path), ...(run.kind === 'teacher' ? ['teacher.ckpt', 'teacher.json'] : []), 'samples/compare.png']
  for (const rel of rels) {
    if (!rel || entries.has(rel)) continue
    const from = historyFile(dir, rel)
    if (from) entries.set(rel, { from, max: MAX_RUN_FILE_BYTES })
  }
  addSamplePngs(entries, samples)
  return writeExportFiles(folder, entries)
}

/** The run folder's file `rel`, or null when it is missing; a link or anything but a regular file is refused. */
function historyFile(dir: string, rel: string): string | null {
  const from = join(dir, rel)
  if (!isWithin(dir, from)) throw new UnsafePathError(from, `is not inside the run folder ${dir}`)
  const stat = lstatOrNull(from)
  if (!stat) return null
  if (!stat.isFile()) throw new UnsafePathError(from, `is ${stat.isSymbolicLink() ? 'a symbolic link' : 'not a regular file'}; the export does not follow it`)
  return from
}

function csvText(entry: ExportEntry | undefined): string | null {
  if (!entry) return null
  if ('bytes' in entry) return typeof entry.bytes === 'string' ? entry.bytes : Buffer.from(entry.bytes).toString('utf8')
  return readRegularFile(entry.from, entry.max).toString('utf8')
}

/** Each exported 2D sample CSV also as a PNG scatter over the held-out data (samples/<name>.png). */
function addSamplePngs(entries: Map<string, ExportEntry>, samples: SampleRecord[]): void {
  const dataCsv = samples.find((s) => s.model === 'data' && s.path?.endsWith('.csv'))?.path
  const dataText = dataCsv ? csvText(entries.get(dataCsv)) : null
  const background = dataText === null ? null : readPointsCsv(dataText)
  for (const s of samples) {
    if (!s.path?.endsWith('.csv')) continue
    const text = csvText(entries.get(s.path))
    if (text === null) continue
    const png = scatterPng(readPointsCsv(text), { background: s.model === 'data' ? null : background })
    entries.set(s.path.replace(/\.csv$/, '.png'), { bytes: png })
  }
}
