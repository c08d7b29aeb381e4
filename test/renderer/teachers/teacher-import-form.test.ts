/**
 * #16 The Teachers view's import panel lives in its own component (TeacherImportForm): rendered (server
 * side, the tests' node environment) over a TeachersState, it shows the form the e2e tests drive, the app's
 * data folder once known, and the state's import error and result.
 */
import { render } from 'svelte/server'
import { describe, expect, it } from 'vitest'
import TeacherImportForm from '../../../src-renderer/components/teachers/TeacherImportForm.svelte'
import { TeachersState } from '../../../src-renderer/lib/state/teachers.svelte'
import { fakeApi } from '../fake-api'

describe('#16 TeacherImportForm', () => {
  it('renders the import form with its fields, the data folder, and the import outcome', () => {
    const teachers = new TeachersState(fakeApi().api)
    const empty = render(TeacherImportForm, { props: { teachers } }).body
    for (const id of ['teacher-import-form', 'teacher-import-path', 'teacher-import-name', 'teacher-import-submit'])
      expect(empty).toContain(`data-testid="${id}"`)
    expect(empty).not.toContain('teacher-import-error')
    expect(empty).not.toContain('teacher-import-result')

    teachers.dataDir = '/data/clab-test'
    teachers.importError = 'path: /nowhere.ckpt is outside the data folder'
    teachers.importResult = 'Imported “moons-seed0”'
    const filled = render(TeacherImportForm, { props: { teachers } }).body
    expect(filled).toContain('(/data/clab-test)')
    expect(filled).toMatch(/data-testid="teacher-import-error"[^>]*>path: \/nowhere\.ckpt is outside the data folder</)
    expect(filled).toMatch(/data-testid="teacher-import-result"[^>]*>Imported “moons-seed0”</)
  })
})
