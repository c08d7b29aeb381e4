/**
 * The `teachers.*` handlers: list, import or export a teacher file inside the data folder, and measure a
 * teacher's quality.
 */
import { lstatSync } from 'node:fs'
import { ApiFailure } from './failure'
import type { HandlerContext, HandlersOf } from './handler-context'
import { apiExportTarget, insideDataDir, pathFailuresAsync } from './paths'

export function teacherHandlers({ service, root }: HandlerContext): HandlersOf<'teachers'> {
  return {
    'teachers.list': (p) => service.teachers.list(p?.dataset),
    'teachers.import': (p) => {
      const file = insideDataDir(root, p.path, 'path')
      if (!lstatSync(file, { throwIfNoEntry: false }))
        throw new ApiFailure('NOT_FOUND', `${file} does not exist`, 'path')
      return pathFailuresAsync('path', () => service.teachers.import(file, p.name))
    },
    'teachers.export': async (p) => {
      service.teachers.get(p.id)
      const file = apiExportTarget(root, p.path)
      return { file: await pathFailuresAsync('path', () => service.teachers.export(p.id, file)) }
    },
    'teachers.measure': async (p) => {
      await service.teachers.measure(p.id)
      return service.teachers.get(p.id)
    },
  }
}
