/** Teachers: pre-trained (built-in), trained here (linked to their teacher run) or imported. */
import type { Database } from 'better-sqlite3'
import type { TeacherRecord } from '@shared/store/types'
import { assertSafeId } from './data-dir'
import {
  RunNotFoundError,
  StoreInputError,
  TeacherInUseError,
  TeacherNotFoundError,
  isForeignKeyError,
  isUniqueError,
} from './errors'
import { StatementCache, writing } from './sql'

export interface TeacherInput {
  id: string
  name: string
  dataset: string
  /** Weights file: relative to the data folder, or absolute for built-in teachers. */
  path: string
  config: unknown
  runId?: string | null
  notes?: string
  now?: number
}

interface TeacherRow {
  id: string
  name: string
  dataset: string
  path: string
  config_json: string
  run_id: string | null
  created_at: number
  notes: string
}

const recordOf = (r: TeacherRow): TeacherRecord => ({
  id: r.id,
  name: r.name,
  dataset: r.dataset,
  path: r.path,
  config: JSON.parse(r.config_json) as unknown,
  runId: r.run_id,
  createdAt: r.created_at,
  notes: r.notes,
})

export class TeachersRepo {
  private readonly stmts: StatementCache

  constructor(private readonly db: Database) {
    this.stmts = new StatementCache(db)
  }

  addTeacher(input: TeacherInput): TeacherRecord {
    assertSafeId(input.id, 'teacher')
    if (!input.name || !input.dataset || !input.path)
      throw new StoreInputError('a teacher needs a name, a dataset and a path')
    try {
      writing(this.db, () =>
        this.stmts
          .get(
            'INSERT INTO teachers (id, name, dataset, path, config_json, run_id, created_at, notes) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
          )
          .run(
            input.id,
            input.name,
            input.dataset,
            input.path,
            JSON.stringify(input.config ?? null),
            input.runId ?? null,
            input.now ?? Date.now(),
            input.notes ?? '',
          ),
      )
    } catch (error) {
      if (isForeignKeyError(error) && input.runId != null) throw new RunNotFoundError(input.runId)
      if (isUniqueError(error)) throw new StoreInputError(`teacher ${JSON.stringify(input.id)} already exists`)
      throw error
    }
    return this.getTeacher(input.id)
  }

  findTeacher(id: string): TeacherRecord | undefined {
    const row = this.stmts.get('SELECT * FROM teachers WHERE id = ?').get(id) as TeacherRow | undefined
    return row === undefined ? undefined : recordOf(row)
  }

  getTeacher(id: string): TeacherRecord {
    const teacher = this.findTeacher(id)
    if (teacher === undefined) throw new TeacherNotFoundError(id)
    return teacher
  }

  listTeachers(filter: { dataset?: string } = {}): TeacherRecord[] {
    const rows = this.stmts
      .get('SELECT * FROM teachers WHERE @dataset IS NULL OR dataset = @dataset ORDER BY created_at DESC, id')
      .all({ dataset: filter.dataset ?? null }) as TeacherRow[]
    return rows.map(recordOf)
  }

  setNotes(id: string, notes: string): void {
    const info = writing(this.db, () => this.stmts.get('UPDATE teachers SET notes = ? WHERE id = ?').run(notes, id))
    if (info.changes === 0) throw new TeacherNotFoundError(id)
  }

  /** Deletes the row (the caller removes `teachers/<id>/`). Refused with TeacherInUseError while runs use it. */
  deleteTeacher(id: string): TeacherRecord {
    const teacher = this.getTeacher(id)
    try {
      writing(this.db, () => this.stmts.get('DELETE FROM teachers WHERE id = ?').run(id))
    } catch (error) {
      if (isForeignKeyError(error)) throw new TeacherInUseError(id)
      throw error
    }
    return teacher
  }
}
