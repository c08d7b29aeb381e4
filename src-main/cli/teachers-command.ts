/** `clab teachers list|import|export`: the teachers the run history knows. */
import { datasetLabel, indexDatasets, withDatasetNames } from '@shared/data/dataset-names'
import { isImageDatasetRef } from '@shared/data/dataset-ref'
import { CheckpointError } from '../files/checkpoint-file'
import { UnsafePathError } from '../files/safe-fs'
import { TeacherFileError } from '../files/teacher-file'
import { TeacherNotFoundError } from '../store'
import { EXIT_OK, UsageError } from './args'
import { openHistory, type HistoryOptions } from './history'
import { teacherQualityCell, teacherQualityTable } from './teacher-quality-text'
import { textTable } from './text-table'

interface Options extends HistoryOptions {
  json?: boolean
  dataset?: string
  name?: string
}

async function withTeachers(
  options: Options,
  fn: (h: ReturnType<typeof openHistory>) => number | Promise<number>,
): Promise<number> {
  const history = openHistory(options)
  try {
    return await fn(history)
  } catch (error) {
    if (
      error instanceof TeacherNotFoundError ||
      error instanceof CheckpointError ||
      error instanceof TeacherFileError ||
      error instanceof UnsafePathError
    )
      throw new UsageError(error.message)
    throw error
  } finally {
    await history.service.close()
    history.store.close()
  }
}

export function teachersListCommand(options: Options & { quality?: boolean }): Promise<number> {
  return withTeachers(options, ({ service, store }) => {
    const teachers = service.teachers.list(options.dataset)
    if (options.json) process.stdout.write(`${JSON.stringify({ command: 'teachers list', teachers })}\n`)
    else if (teachers.length === 0)
      process.stdout.write('no teachers yet (built-in teachers are always available as --teacher builtin)\n')
    else {
      // Image sets by the name they were imported under, in the dataset column and in teacher names.
      const datasets = indexDatasets(store.datasets.listDatasets())
      const rows = teachers.map((t) => [
        t.id,
        datasetLabel(t.dataset, datasets, false),
        withDatasetNames(t.name, datasets),
        service.teachers.pathOf(t),
        teacherQualityCell(t.quality),
      ])
      process.stdout.write(`${textTable(['id', 'dataset', 'name', 'file', 'quality vs held-out data'], rows)}\n`)
      if (options.quality)
        for (const t of teachers)
          if (t.quality) process.stdout.write(`\n${t.id} (${t.dataset}):\n${teacherQualityTable(t.quality)}\n`)
      if (teachers.some((t) => !t.quality && !isImageDatasetRef(t.dataset)))
        process.stdout.write('measure the others with: clab teachers measure <id>\n')
    }
    return EXIT_OK
  })
}

export function teachersImportCommand(file: string, options: Options): Promise<number> {
  return withTeachers(options, async ({ service }) => {
    const teacher = await service.teachers.import(file, options.name)
    if (options.json) process.stdout.write(`${JSON.stringify({ command: 'teachers import', teacher })}\n`)
    else
      process.stdout.write(`teacher ${teacher.id} (${teacher.dataset}) imported; use it with --teacher ${teacher.id}\n`)
    return EXIT_OK
  })
}

export function teachersExportCommand(id: string, file: string, options: Options): Promise<number> {
  return withTeachers(options, async ({ service }) => {
    const path = await service.teachers.export(id, file)
    if (options.json) process.stdout.write(`${JSON.stringify({ command: 'teachers export', id, path })}\n`)
    else process.stdout.write(`teacher ${id} written to ${path}\n`)
    return EXIT_OK
  })
}

/**
 * `clab teachers measure [ids...]`: samples each 2D teacher (all not yet measured when no id is given) at
 * K = 1, 10, 100 and stores its precision, recall and SWD against held-out data (#17). Loads tfjs.
 */
export function teachersMeasureCommand(ids: string[], options: Options & { all?: boolean }): Promise<number> {
  return withTeachers(options, async ({ service }) => {
    const targets =
      ids.length > 0
        ? ids.map((id) => service.teachers.get(id))
        : service.teachers
            .list(options.dataset)
            .filter((t) => (options.all || !t.quality) && !isImageDatasetRef(t.dataset))
    const measured = []
    for (const t of targets) {
      if (isImageDatasetRef(t.dataset))
        throw new UsageError(`teacher ${t.id} is an image teacher: its runs measure it in classifier features`)
      if (!options.json) process.stderr.write(`measuring ${t.id} (${t.dataset})...\n`)
      const quality = await service.teachers.measure(t.id)
      measured.push({ id: t.id, quality })
      if (!options.json && quality) process.stdout.write(`${t.id} (${t.dataset}):\n${teacherQualityTable(quality)}\n`)
    }
    if (options.json) process.stdout.write(`${JSON.stringify({ command: 'teachers measure', measured })}\n`)
    else if (targets.length === 0) process.stdout.write('every teacher is measured (--all measures them again)\n')
    return EXIT_OK
  })
}
