import type { EvalRow } from '@shared/cd/evaluation'

/** Table order of evaluation rows: the floor, then the teacher, then the student. */
export const EVAL_ROW_MODELS: ReadonlyArray<EvalRow['model']> = ['data', 'teacher', 'student']
