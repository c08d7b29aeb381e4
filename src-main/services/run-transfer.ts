/**
 * A run as a folder, and back (run-export.ts writes the folder). Importing a folder, or every run of another
 * data folder, adds the runs to this history, all or nothing: the whole folder is checked first
 * (run-folder.ts), its files are copied into a temporary folder inside runs/, and the rows are inserted in one
 * transaction whose last step renames that folder to runs/<id>. A failed import leaves no row and no file.
 * Reading and copying are asynchronous (only the final transaction is one synchronous step), so `clab serve`
 * answers its other clients while a large folder comes in.
 */
import { randomUUID } from 'node:crypto'
import { mkdirSync, renameSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { PREVIEW_NOISE_SEED, type Run } from '@shared/store/types'
import {
  copyToNewFileAsync,
  IMPORT_TEMP_PREFIX,
  lstatOrNull,
  makeFoldersNoLinks,
  removeStaleFolders,
  STALE_IMPORT_MS,
  UnsafePathError,
} from '../files/safe-fs'
import { openLabStore, runPaths, translateSqliteError, type LabStore } from '../store'
import { exportRunFolder } from './run-export'
import { checkRunFolder, RunFolderError, type CheckedRunFolder, type TeacherScope } from './run-folder'

export { exportRunFolder, RunFolderError, type TeacherScope }

export interface ImportOptions {
  /** Where an imported distill run's teacher may point; default `data-folder` (what the API allows). */
  teacherScope?: TeacherScope
}

/** Adds a run folder to the history; keeps its id unless taken (then a new id, noted in the run's notes). */
export async function importRunFolder(store: LabStore, folder: string, options: ImportOptions = {}): Promise<Run> {
  const checked = await checkRunFolder(folder, {
    root: store.paths.root,
    teacherScope: options.teacherScope ?? 'data-folder',
  })
  removeStaleFolders(store.paths.runs, IMPORT_TEMP_PREFIX, STALE_IMPORT_MS)
  const temp = join(store.paths.runs, `${IMPORT_TEMP_PREFIX}${randomUUID()}`)
  let placed: string | null = null
  try {
    mkdirSync(temp)
    mkdirSync(join(temp, 'checkpoints'))
    mkdirSync(join(temp, 'samples'))
    for (const file of checked.files) {
      const target = join(temp, ...file.rel.split('/'))
      makeFoldersNoLinks(temp, dirname(target))
      await copyToNewFileAsync(file.from, target, file.max)
    }
    const commit = store.db.transaction(() => {
      const id = insertRows(store, checked)
      const dir = runPaths(store.paths.root, id).dir
      // Last, inside the transaction: if the folder cannot take its place, the rows roll back.
      renameSync(temp, dir)
      placed = dir
      return id
    })
    let id: string
    try {
      id = commit.immediate()
    } catch (error) {
      throw translateSqliteError(error, store.paths.database)
    }
    return store.runs.getRun(id)
  } catch (error) {
    await rm(temp, { recursive: true, force: true })
    // The rename happened but the commit did not: the folder goes too.
    if (placed !== null) await rm(placed, { recursive: true, force: true })
    if (error instanceof UnsafePathError) throw new RunFolderError(checked.source, error.message)
    throw error
  }
}

/** The run's rows (run, tags, metrics, evaluations, samples, checkpoints); returns its id. Inside the caller's transaction. */
function insertRows(store: LabStore, checked: CheckedRunFolder): string {
  const { run, source } = checked
  const keepId = !store.runs.exists(run.id) && lstatOrNull(join(store.paths.runs, run.id)) === null
  const status =
    run.status === 'running' || run.status === 'paused' || run.status === 'queued' ? 'interrupted' : run.status
  const parentKnown = run.parentRunId != null && store.runs.exists(run.parentRunId)
  const { id } = store.runs.createRun({
    kind: run.kind,
    config: checked.config,
    appVersion: run.appVersion,
    status,
    ...(keepId ? { id: run.id } : {}),
    parentRunId: parentKnown ? run.parentRunId : null,
    parentKind: parentKnown ? (run.parentKind ?? null) : null,
    parentStep: run.parentStep ?? null,
    backend: run.backend ?? null,
    seed: run.seed ?? null,
    gridTop: run.kind === 'distill' ? (run.gridTop ?? null) : null,
    ...(run.name !== undefined ? { name: run.name } : {}),
    notes: keepId ? run.notes : `${run.notes ? `${run.notes}\n` : ''}imported from ${source} (was run ${run.id})`,
    tags: run.tags,
    now: run.createdAt,
  })
  for (let i = 0; i < checked.metrics.length; i += 10_000)
    store.metrics.appendMetrics(id, checked.metrics.slice(i, i + 10_000))
  store.evaluations.addEvaluations(id, checked.evaluations)
  // The verdict it was stored with (#19): a folder from before verdicts reads as it did, not judged again.
  if (status === 'finished' && run.verdict)
    store.runs.setVerdict(id, { verdict: run.verdict, reason: run.verdictReason ?? '' })
  for (const s of run.samples) {
    if (!s.path) continue
    // Folders exported before samples had a role: the previews are the ones from the preview noise.
    const role = s.role ?? (s.noiseSeed === PREVIEW_NOISE_SEED ? 'preview' : 'final')
    store.samples.addSample(id, {
      step: s.step,
      nfe: s.nfe,
      kind: s.kind,
      model: s.model ?? 'student',
      role,
      noiseSeed: s.noiseSeed,
      path: normalised(s.path),
    })
  }
  const sizes = new Map(checked.files.map((f) => [f.rel, f.bytes]))
  for (const c of run.checkpoints) {
    const path = normalised(c.path)
    store.checkpoints.addCheckpoint(id, { step: c.step, path, bytes: sizes.get(path) ?? c.bytes ?? 0 })
  }
  return id
}

/** A run.json path as checkRunFolder stored its copy (`\` from a folder exported on Windows becomes `/`). */
const normalised = (path: string) => path.split(/[\\/]/).join('/')

/** Imports every run of another data folder (its database is opened, never modified beyond migrations). */
export async function importDataDir(
  store: LabStore,
  otherDataDir: string,
  scratch: string,
  options: ImportOptions = {},
): Promise<Run[]> {
  const other = openLabStore({ dataDir: otherDataDir })
  try {
    const imported: Run[] = []
    for (const r of other.runs.listRuns({ limit: 1_000_000 }).reverse()) {
      const folder = join(scratch, r.id)
      await exportRunFolder(other, r.id, folder)
      imported.push(await importRunFolder(store, folder, options))
    }
    return imported
  } finally {
    other.close()
  }
}
