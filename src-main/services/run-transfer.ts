/**
 * A run as a folder, and back: `run.json` (the run with its config, status and lineage), `metrics.csv`
 * (every point: key,step,value,wall_ms), `evaluations.json`, and the run's files (samples/ as CSV and PNG,
 * checkpoints/, teacher.ckpt) with their relative paths. Importing a folder, or every run of another data folder,
 * adds the runs to this history.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { PREVIEW_NOISE_SEED, type CheckpointRecord, type EvaluationRecord, type MetricPoint, type Run, type SampleRecord, type SampleRole } from '@shared/store/types'
import { completeStoredDistillConfig } from '@shared/config/stored'
import { pointsCsv } from '../files/export-run'
import { pointsFromBlob } from '../files/sample-points'
import { readPointsCsv, scatterPng } from '../files/scatter-png'
import { ensureRunDirs, openLabStore, runPaths, type LabStore } from '../store'

export class RunFolderError extends Error {
  readonly code = 'RUN_FOLDER'
  constructor(folder: string, reason: string) {
    super(`run folder ${folder}: ${reason}`)
    this.name = 'RunFolderError'
  }
}

interface RunFile extends Run {
  samples: SampleRecord[]
  checkpoints: CheckpointRecord[]
}

/** run.json as folders exported by any version hold it: samples before roles had none. */
interface RunFileRead extends Run {
  samples?: Array<Omit<SampleRecord, 'role'> & { role?: SampleRole }>
  checkpoints?: CheckpointRecord[]
}

export function exportRunFolder(store: LabStore, id: string, out: string): string[] {
  const run = store.runs.getRun(id)
  const folder = resolve(out)
  mkdirSync(folder, { recursive: true })
  const files: string[] = []
  const write = (name: string, text: string) => {
    writeFileSync(join(folder, name), text)
    files.push(join(folder, name))
  }
  // Blob samples (live previews) leave as CSV files, so the folder is self-contained and imports as files.
  const samples = store.samples.listSamples(id).map((s) => (s.hasBlob ? previewAsCsv(store, s, folder) : s))
  const checkpoints = store.checkpoints.listCheckpoints(id)
  write('run.json', `${JSON.stringify({ ...run, samples, checkpoints } satisfies RunFile, null, 2)}\n`)
  const lines = ['key,step,value,wall_ms']
  for (const s of store.metrics.listSeries(id)) {
    for (const p of store.metrics.readSeries(id, s.key)) lines.push(`${s.key},${p.step},${p.value},${p.wallMs}`)
  }
  write('metrics.csv', `${lines.join('\n')}\n`)
  write('evaluations.json', `${JSON.stringify(store.evaluations.listEvaluations(id), null, 2)}\n`)
  const dir = runPaths(store.paths.root, id).dir
  // Image runs also leave the teacher | 1-step | 2-step | |difference| grid, which is not a sample record.
  const rels = [...samples.map((s) => s.path), ...checkpoints.map((c) => c.path), ...(run.kind === 'teacher' ? ['teacher.ckpt', 'teacher.json'] : []), 'samples/compare.png']
  for (const rel of rels) {
    if (!rel || !existsSync(join(dir, rel)) || existsSync(join(folder, rel))) continue
    mkdirSync(dirname(join(folder, rel)), { recursive: true })
    copyFileSync(join(dir, rel), join(folder, rel))
    files.push(join(folder, rel))
  }
  files.push(...samplePngs(folder, samples))
  return files
}

function previewAsCsv(store: LabStore, sample: SampleRecord, folder: string): SampleRecord {
  const blob = store.samples.readBlob(sample.id)
  if (!blob) return sample
  const rel = `samples/preview-step${sample.step}-${sample.model}-nfe${sample.nfe}.csv`
  mkdirSync(join(folder, 'samples'), { recursive: true })
  writeFileSync(join(folder, rel), pointsCsv(pointsFromBlob(blob), 2))
  return { ...sample, kind: 'csv2d', path: rel, hasBlob: false, bytes: null }
}

/** Each exported 2D sample CSV also as a PNG scatter over the held-out data (samples/<name>.png). */
function samplePngs(folder: string, samples: SampleRecord[]): string[] {
  const dataCsv = samples.find((s) => s.model === 'data' && s.path?.endsWith('.csv'))?.path
  const background = dataCsv && existsSync(join(folder, dataCsv)) ? readPointsCsv(readFileSync(join(folder, dataCsv), 'utf8')) : null
  const written: string[] = []
  for (const s of samples) {
    if (!s.path?.endsWith('.csv') || !existsSync(join(folder, s.path))) continue
    const target = join(folder, s.path.replace(/\.csv$/, '.png'))
    writeFileSync(target, scatterPng(readPointsCsv(readFileSync(join(folder, s.path), 'utf8')), { background: s.model === 'data' ? null : background }))
    written.push(target)
  }
  return written
}

function readJson<T>(folder: string, name: string): T {
  const path = join(folder, name)
  if (!existsSync(path)) throw new RunFolderError(folder, `${name} is missing`)
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T
  } catch (error) {
    throw new RunFolderError(folder, `${name} is not valid JSON (${(error as Error).message})`)
  }
}

function readMetrics(folder: string): MetricPoint[] {
  const path = join(folder, 'metrics.csv')
  if (!existsSync(path)) throw new RunFolderError(folder, 'metrics.csv is missing')
  const lines = readFileSync(path, 'utf8').trim().split('\n')
  if (lines[0] !== 'key,step,value,wall_ms') throw new RunFolderError(folder, `metrics.csv: header must be "key,step,value,wall_ms" (got ${JSON.stringify(lines[0])})`)
  return lines.slice(1).map((line, i) => {
    const [key, step, value, wallMs] = line.split(',')
    const point = { key: key ?? '', step: Number(step), value: Number(value), wallMs: Number(wallMs) }
    if (!point.key || !Number.isInteger(point.step) || !Number.isFinite(point.wallMs) || value === undefined || value === '') {
      throw new RunFolderError(folder, `metrics.csv line ${i + 2} is malformed: ${JSON.stringify(line)}`)
    }
    return point
  })
}

/** Adds a run folder to the history; keeps its id unless taken (then a new id, noted in the run's notes). */
export function importRunFolder(store: LabStore, folder: string): Run {
  const source = resolve(folder)
  const run = readJson<RunFileRead>(source, 'run.json')
  if (!run || (run.kind !== 'distill' && run.kind !== 'teacher') || typeof run.config !== 'object' || run.config === null) {
    throw new RunFolderError(source, 'run.json does not describe a run (kind and config are required)')
  }
  const metrics = readMetrics(source)
  const evaluations = readJson<EvaluationRecord[]>(source, 'evaluations.json')
  const keepId = !store.runs.exists(run.id)
  const status = run.status === 'running' || run.status === 'paused' || run.status === 'queued' ? 'interrupted' : run.status
  const created = store.runs.createRun({
    kind: run.kind,
    config: run.kind === 'distill' ? completeStoredDistillConfig(run.config) : run.config,
    appVersion: run.appVersion,
    status,
    ...(keepId ? { id: run.id } : {}),
    parentRunId: run.parentRunId && store.runs.exists(run.parentRunId) ? run.parentRunId : null,
    parentKind: run.parentRunId && store.runs.exists(run.parentRunId) ? run.parentKind : null,
    parentStep: run.parentStep,
    backend: run.backend,
    seed: run.seed,
    notes: keepId ? run.notes : `${run.notes ? `${run.notes}\n` : ''}imported from ${source} (was run ${run.id})`,
    tags: run.tags,
    now: run.createdAt,
  })
  const id = created.id
  const paths = ensureRunDirs(store.paths.root, id)
  for (let i = 0; i < metrics.length; i += 10_000) store.metrics.appendMetrics(id, metrics.slice(i, i + 10_000))
  store.evaluations.addEvaluations(id, evaluations.map((e) => ({ step: e.step, metric: e.metric, model: e.model, nfe: e.nfe, value: e.value })))
  const copy = (rel: string) => {
    const from = join(source, rel)
    if (!existsSync(from)) throw new RunFolderError(source, `${rel} is listed but missing`)
    mkdirSync(dirname(join(paths.dir, rel)), { recursive: true })
    copyFileSync(from, join(paths.dir, rel))
  }
  for (const s of run.samples ?? []) {
    if (!s.path) continue
    copy(s.path)
    // Folders exported before samples had a role: the previews are the ones from the preview noise.
    const role = s.role ?? (s.noiseSeed === PREVIEW_NOISE_SEED ? 'preview' : 'final')
    store.samples.addSample(id, { step: s.step, nfe: s.nfe, kind: s.kind, model: s.model ?? 'student', role, noiseSeed: s.noiseSeed, path: s.path })
  }
  for (const c of run.checkpoints ?? []) {
    copy(c.path)
    store.checkpoints.addCheckpoint(id, { step: c.step, path: c.path, bytes: c.bytes })
  }
  if (run.kind === 'teacher' && existsSync(join(source, 'teacher.ckpt'))) copy('teacher.ckpt')
  return store.runs.getRun(id)
}

/** Imports every run of another data folder (its database is opened, never modified beyond migrations). */
export function importDataDir(store: LabStore, otherDataDir: string, scratch: string): Run[] {
  const other = openLabStore({ dataDir: otherDataDir })
  try {
    return other.runs.listRuns({ limit: 1_000_000 }).reverse().map((r) => {
      const folder = join(scratch, r.id)
      exportRunFolder(other, r.id, folder)
      return importRunFolder(store, folder)
    })
  } finally {
    other.close()
  }
}
