/** The `runs.*` handlers: list, start, control, tag, annotate, evaluations, export and import of runs. */
import { lstatSync } from 'node:fs'
import { isPresetName, PRESETS } from '@shared/config/presets'
import { exportRunFolder, importRunFolder, RunFolderError } from '../services/run-transfer'
import { ApiFailure } from './failure'
import type { HandlerContext, HandlersOf } from './handler-context'
import { apiExportTarget, insideDataDir, pathFailuresAsync } from './paths'

export function runHandlers({ service, store, root, requireRun }: HandlerContext): HandlersOf<'runs'> {
  const runs = () => store.runs
  return {
    'runs.list': (p) => {
      const wanted = p?.status === undefined ? null : ([] as string[]).concat(p.status)
      // A run held as ended (its end not yet written) is listed as it really is, and filtered so.
      return runs()
        .listRuns(p ?? {})
        .map((run) => service.present(run))
        .filter((run) => wanted === null || wanted.includes(run.status))
    },
    'runs.get': (p) => requireRun(p.id),
    'runs.start': (p) => {
      let base: Record<string, unknown> = {}
      if (p.preset !== undefined) {
        // Own keys only (isPresetName): `__proto__`, `constructor` or `toString` would otherwise find
        // Object.prototype's members, and a run would be queued from whatever they hold.
        if (!isPresetName(p.preset))
          throw new ApiFailure(
            'INVALID_PAYLOAD',
            `unknown preset ${JSON.stringify(p.preset)}; expected one of ${Object.keys(PRESETS).join(', ')}`,
            'preset',
          )
        base = PRESETS[p.preset].values
      }
      return service.startDistill(
        { ...base, ...p.config },
        { tags: p.tags, notes: p.notes, teacherScope: 'data-folder' },
      )
    },
    'runs.startTeacher': (p) =>
      service.startTeacher(p.config, {
        tags: p.tags,
        notes: p.notes,
        ...(p.evalSamples !== undefined ? { evalSamples: p.evalSamples } : {}),
        ...(p.sampleEvery !== undefined ? { sampleEvery: p.sampleEvery } : {}),
      }),
    'runs.sweep': (p) => service.sweep(p.base, p.grid, { tags: p.tags, notes: p.notes, teacherScope: 'data-folder' }),
    'runs.pause': (p) => {
      service.pause(p.id)
      return requireRun(p.id)
    },
    'runs.resume': (p) =>
      service.resume(p.id, p.steps !== undefined ? { steps: p.steps } : {}, { teacherScope: 'data-folder' }),
    'runs.cancel': (p) => service.cancel(p.id),
    'runs.branch': (p) =>
      service.branch(p.id, p.overrides, { tags: p.tags, notes: p.notes, teacherScope: 'data-folder' }),
    'runs.delete': async (p) => {
      await service.delete(p.id)
      return { id: p.id }
    },
    'runs.tag': (p) => ({ id: p.id, tags: service.tag(p.id, p.tags) }),
    'runs.untag': (p) => ({ id: p.id, tags: service.untag(p.id, p.tags) }),
    'runs.annotate': (p) => {
      service.annotate(p.id, p.notes)
      return requireRun(p.id)
    },
    'runs.rename': (p) => {
      service.rename(p.id, p.name)
      return requireRun(p.id)
    },
    'runs.evaluations': (p) => {
      requireRun(p.id)
      return store.evaluations.listEvaluations(p.id, {
        ...(p.metric !== undefined ? { metric: p.metric } : {}),
        ...(p.model !== undefined ? { model: p.model } : {}),
      })
    },
    'runs.export': async (p) => {
      requireRun(p.id)
      const folder = apiExportTarget(root, p.path)
      return { folder, files: await pathFailuresAsync('path', () => exportRunFolder(store, p.id, folder)) }
    },
    'runs.import': async (p) => {
      const folder = insideDataDir(root, p.path, 'path')
      if (!lstatSync(folder, { throwIfNoEntry: false }))
        throw new ApiFailure('NOT_FOUND', `${folder} does not exist`, 'path')
      try {
        return await importRunFolder(store, folder, { teacherScope: 'data-folder' })
      } catch (error) {
        if (error instanceof RunFolderError) throw new ApiFailure('RUN_FOLDER', error.message, 'path')
        throw error
      }
    },
  }
}
