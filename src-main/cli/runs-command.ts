/**
 * `clab runs list|show|tag|rename|rm|export|resume` and `clab sweep`: the run history from the terminal.
 * Every command that takes a run id also takes a unique prefix of it, or of its random tail, as git does.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { ConfigError } from '@shared/config/validate'
import { SWEEPABLE_FIELDS } from '@shared/config/fields'
import { datasetLabel, indexDatasets, type DatasetIndex } from '@shared/data/dataset-names'
import { isShownStatus, SHOWN_STATUSES, shownStatus, statusFilterOf } from '@shared/store/shown-status'
import type { RunListItem } from '@shared/store/types'
import { RunStateError } from '../services/run-service'
import { RunNotFoundError, StoreInputError, type LabStore } from '../store'
import { exportRunFolder, importDataDir, importRunFolder, RunFolderError } from '../services/run-transfer'
import { UnsafePathError } from '../files/safe-fs'
import { DISTILL_FLAGS, EXIT_FAILED, EXIT_OK, flagToOptionKey, UsageError, usageFromConfigError } from './args'
import { resolveDistillConfig, type DistillOptions } from './distill-command'
import { reportDistillRun } from './distill-run'
import { configTable, timesLine } from './run-show-text'
import { textTable as table } from './text-table'
import { checkExportFlag } from './export-flag'
import { followRun } from './follow-run'
import { finalEvaluation, openHistory, type HistoryOptions } from './history'
import { evaluationTable } from './report'

interface JsonOption extends HistoryOptions {
  json?: boolean
}

async function withHistory<T>(
  options: HistoryOptions,
  fn: (h: ReturnType<typeof openHistory>) => Promise<T> | T,
): Promise<T> {
  const history = openHistory(options)
  try {
    return await fn(history)
  } catch (error) {
    if (error instanceof RunNotFoundError) throw new UsageError(error.message)
    if (error instanceof RunStateError) throw new UsageError(error.message)
    // A short id that matches several runs (naming them), a name the history refuses.
    if (error instanceof StoreInputError) throw new UsageError(error.message)
    throw error
  } finally {
    await history.service.close()
    history.store.close()
  }
}

/** The full id of the run `typed` names: the id, or a unique prefix of it or of its random tail. */
const fullId = (store: LabStore, typed: string): string => store.runs.resolveId(typed)

/** A run config's dataset as people know it: `moons`, or an imported image set's name (not `image:<id>`). */
function datasetOf(config: unknown, datasets: DatasetIndex): string {
  const dataset = (config as { dataset?: unknown } | null)?.dataset
  return typeof dataset === 'string' ? datasetLabel(dataset, datasets, false) : '-'
}

function listRow(run: RunListItem, datasets: DatasetIndex): string[] {
  const loss = run.lastMetrics.loss
  const swd = run.lastMetrics['eval/swd_nfe1']
  return [
    run.id,
    run.name ?? '-',
    run.kind,
    shownStatus(run),
    datasetOf(run.config, datasets),
    loss ? String(loss.step) : '-',
    loss ? loss.value.toPrecision(4) : '-',
    swd ? swd.value.toFixed(4) : '-',
    run.backend ?? '-',
    run.tags.join(','),
  ]
}

export async function runsListCommand(
  options: JsonOption & { status?: string; tag?: string[]; kind?: string; limit?: number },
): Promise<number> {
  if (options.status && !isShownStatus(options.status)) {
    throw new UsageError(`--status: unknown status "${options.status}"; expected one of ${SHOWN_STATUSES.join(', ')}`)
  }
  if (options.kind && options.kind !== 'distill' && options.kind !== 'teacher')
    throw new UsageError(`--kind: expected distill or teacher (got "${options.kind}")`)
  return withHistory(options, ({ store }) => {
    const runs = store.runs.listRuns({
      ...(options.status && isShownStatus(options.status) ? statusFilterOf(options.status) : {}),
      ...(options.tag ? { tags: options.tag } : {}),
      ...(options.kind ? { kind: options.kind as 'distill' | 'teacher' } : {}),
      limit: options.limit ?? 50,
      withConfig: !options.json,
    })
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ command: 'runs list', runs })}\n`)
      return EXIT_OK
    }
    const datasets = indexDatasets(store.datasets.listDatasets())
    process.stdout.write(
      `${table(
        ['id', 'name', 'kind', 'status', 'dataset', 'step', 'loss', 'swd@1', 'backend', 'tags'],
        runs.map((r) => listRow(r, datasets)),
      )}\n`,
    )
    return EXIT_OK
  })
}

export async function runsShowCommand(typed: string, options: JsonOption): Promise<number> {
  return withHistory(options, ({ store }) => {
    const id = fullId(store, typed)
    const run = store.runs.getRun(id)
    const evaluation = finalEvaluation(store, id)
    const checkpoints = store.checkpoints.listCheckpoints(id)
    const series = store.metrics.listSeries(id)
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ command: 'runs show', run, evaluation, checkpoints, series })}\n`)
      return EXIT_OK
    }
    const lines = [
      `run ${run.id} "${run.name ?? ''}" (${run.kind}) ${shownStatus(run)}${run.error ? `: ${run.error}` : ''}${run.verdictReason ? `: ${run.verdictReason}` : ''}`,
      timesLine(run, Date.now()),
      `dataset ${datasetOf(run.config, indexDatasets(store.datasets.listDatasets()))}`,
      `backend ${run.backend ?? '-'}, app ${run.appVersion}, seed ${run.seed ?? '-'}${run.parentRunId ? `, ${run.parentKind} of ${run.parentRunId} at step ${run.parentStep}` : ''}`,
      `tags: ${run.tags.join(', ') || '-'}${run.notes ? `\nnotes: ${run.notes}` : ''}`,
      `checkpoints: ${checkpoints.map((c) => `step ${c.step}`).join(', ') || '-'}`,
      'config as trained (the asked value in brackets where it differs):',
      configTable(run),
    ]
    if (evaluation) lines.push(`evaluation at step ${evaluation.step}:`, evaluationTable(evaluation.rows))
    process.stdout.write(`${lines.join('\n')}\n`)
    return EXIT_OK
  })
}

export async function runsTagCommand(
  typed: string,
  tags: string[],
  options: JsonOption & { remove?: boolean; note?: string },
): Promise<number> {
  return withHistory(options, ({ store, service }) => {
    const id = fullId(store, typed)
    const result = options.remove ? service.untag(id, tags) : service.tag(id, tags)
    if (options.note !== undefined) service.annotate(id, options.note)
    if (options.json) process.stdout.write(`${JSON.stringify({ command: 'runs tag', id, tags: result })}\n`)
    else process.stdout.write(`run ${id} tags: ${result.join(', ') || '-'}\n`)
    return EXIT_OK
  })
}

/** Names a run (`""` goes back to the name derived from its config). */
export async function runsRenameCommand(typed: string, name: string, options: JsonOption): Promise<number> {
  return withHistory(options, ({ store, service }) => {
    const id = fullId(store, typed)
    const shown = service.rename(id, name)
    if (options.json) process.stdout.write(`${JSON.stringify({ command: 'runs rename', id, name: shown })}\n`)
    else process.stdout.write(`run ${id} is now named "${shown}"\n`)
    return EXIT_OK
  })
}

export async function runsRemoveCommand(typedIds: string[], options: JsonOption): Promise<number> {
  return withHistory(options, async ({ store, service }) => {
    // Every id is resolved before anything is deleted, so an ambiguous one removes nothing.
    const ids = typedIds.map((typed) => fullId(store, typed))
    for (const id of ids) await service.delete(id)
    if (options.json) process.stdout.write(`${JSON.stringify({ command: 'runs rm', removed: ids })}\n`)
    else process.stdout.write(`removed ${ids.join(', ')}\n`)
    return EXIT_OK
  })
}

/** A run as a folder: run.json (config, status, lineage), metrics.csv, evaluations.json, samples and weights. */
export async function runsExportCommand(typed: string, options: JsonOption & { out: string }): Promise<number> {
  return withHistory(options, async ({ store }) => {
    const id = fullId(store, typed)
    let files: string[]
    try {
      // Anywhere the user names, but never over the data folder's own files, and never over any existing file.
      files = await exportRunFolder(store, id, options.out)
    } catch (error) {
      if (error instanceof UnsafePathError) throw new UsageError(`--out: ${error.message}`)
      throw error
    }
    if (options.json) process.stdout.write(`${JSON.stringify({ command: 'runs export', id, files })}\n`)
    else process.stdout.write(`exported run ${id} to ${resolve(options.out)} (${files.length} files)\n`)
    return EXIT_OK
  })
}

/** Adds exported run folders, or every run of another data folder (--from-data-dir), to this history. */
export async function runsImportCommand(
  folders: string[],
  options: JsonOption & { fromDataDir?: string },
): Promise<number> {
  if (folders.length === 0 && !options.fromDataDir)
    throw new UsageError('clab runs import needs run folders or --from-data-dir DIR')
  return withHistory(options, async ({ store }) => {
    const imported: string[] = []
    try {
      // The user's own folders: a distill run's teacher may name a checkpoint anywhere, as `clab distill --teacher` may.
      for (const folder of folders)
        imported.push((await importRunFolder(store, folder, { teacherScope: 'anywhere' })).id)
      if (options.fromDataDir) {
        const scratch = mkdtempSync(join(tmpdir(), 'clab-import-'))
        try {
          imported.push(
            ...(await importDataDir(store, options.fromDataDir, scratch, { teacherScope: 'anywhere' })).map(
              (r) => r.id,
            ),
          )
        } finally {
          rmSync(scratch, { recursive: true, force: true })
        }
      }
    } catch (error) {
      if (error instanceof RunFolderError) throw new UsageError(error.message)
      throw error
    }
    if (options.json) process.stdout.write(`${JSON.stringify({ command: 'runs import', imported })}\n`)
    else process.stdout.write(`imported ${imported.length} run(s): ${imported.join(', ')}\n`)
    return EXIT_OK
  })
}

export async function runsResumeCommand(
  typed: string,
  options: JsonOption & { steps?: number; export?: string },
): Promise<number> {
  return withHistory(options, async ({ store, service }) => {
    const id = fullId(store, typed)
    if (options.export) checkExportFlag(store.paths.root, options.export, '--export')
    await service.resume(id, options.steps !== undefined ? { steps: options.steps } : {})
    process.stderr.write(`run ${id}: resumed from step ${store.checkpoints.latestCheckpoint(id)?.step ?? 0}\n`)
    return reportDistillRun(id, options, store, service)
  })
}

/** Numeric distill flags a sweep may list with commas, e.g. --N 10,18,40 --ema 0.9,0.95. */
const SWEEPABLE = SWEEPABLE_FIELDS

export async function sweepCommand(options: DistillOptions & Record<string, unknown>): Promise<number> {
  const grid: Record<string, number[]> = {}
  const single: Record<string, unknown> = {}
  for (const field of SWEEPABLE) {
    const flag = DISTILL_FLAGS[field] as string
    const value = options[flagToOptionKey(flag)]
    if (value === undefined) continue
    const values = (value as number[]).length !== undefined ? (value as number[]) : [value as number]
    if (values.length > 1) grid[field] = values
    else single[field] = values[0]
  }
  if (Object.keys(grid).length === 0)
    throw new UsageError('clab sweep needs at least one flag with several comma-separated values, e.g. --N 10,18,40')
  const stripped = { ...options }
  for (const field of SWEEPABLE) delete stripped[flagToOptionKey(DISTILL_FLAGS[field] as string)]
  const base = resolveDistillConfig(stripped, single)
  return withHistory(options, async ({ store, service }) => {
    let runs
    try {
      runs = await service.sweep(base, grid, { tags: options.tag ?? [] })
    } catch (error) {
      if (error instanceof ConfigError) throw usageFromConfigError(error, DISTILL_FLAGS)
      throw error
    }
    process.stderr.write(
      `sweep: ${runs.length} runs queued (${Object.entries(grid)
        .map(([k, v]) => `${DISTILL_FLAGS[k]} ${v.join(',')}`)
        .join(' × ')})\n`,
    )
    for (const run of runs) await followRun(run.id, store, service, `run ${runs.indexOf(run) + 1}/${runs.length}`)
    await service.whenIdle()
    const results = runs.map((r) => {
      const done = store.runs.getRun(r.id)
      const final = finalEvaluation(store, r.id)
      const swd = final?.rows.find((row) => row.model === 'student' && row.nfe === 1)?.swd ?? null
      const point = Object.fromEntries(Object.keys(grid).map((k) => [k, (done.config as Record<string, unknown>)[k]]))
      return { runId: r.id, name: done.name ?? r.id, status: done.status, point, studentSwdNfe1: swd }
    })
    const header = ['run', 'name', 'status', ...Object.keys(grid).map((k) => DISTILL_FLAGS[k] as string), 'swd@1']
    const text = table(
      header,
      results.map((r) => [
        r.runId,
        r.name,
        r.status,
        ...Object.keys(grid).map((k) => String(r.point[k])),
        r.studentSwdNfe1?.toFixed(4) ?? '-',
      ]),
    )
    if (options.json) {
      process.stderr.write(`${text}\n`)
      process.stdout.write(`${JSON.stringify({ command: 'sweep', tag: `sweep:${runs[0]?.id}`, runs: results })}\n`)
    } else process.stdout.write(`${text}\n`)
    return results.every((r) => r.status === 'finished') ? EXIT_OK : EXIT_FAILED
  })
}
