/** A teacher's quality (#17) as terminal text: the table, one list cell, and the distillation warning. */
import { evaluatedTeacherWarning, qualityAt, teacherWarning, type TeacherQuality } from '@shared/store/teacher-quality'

const pct = (v: number | undefined) => (v === undefined ? '-' : `${(100 * v).toFixed(1)} %`)

/** Floor, then K = 1, 10, 100: precision, recall, off-support share, sliced Wasserstein. */
export function teacherQualityTable(q: TeacherQuality): string {
  const header = ['samples', 'precision', 'recall', 'off-support', 'sliced W']
  const body = [
    [
      'data floor',
      q.floor.precision.toFixed(3),
      q.floor.recall.toFixed(3),
      pct(q.floor.offSupport),
      q.floor.swd.toFixed(4),
    ],
    ...q.rows.map((r) => [
      `${q.solver} K=${r.steps}`,
      r.precision.toFixed(3),
      r.recall.toFixed(3),
      pct(r.offSupport),
      r.swd.toFixed(4),
    ]),
  ]
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] as string).length)))
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i] as number)).join('  ')
  return [line(header), ...body.map(line)].join('\n')
}

/** The list's quality cell: K = 100 precision, recall and SWD, then precision at K = 1 and 10. */
export function teacherQualityCell(q: TeacherQuality | null | undefined): string {
  const k100 = qualityAt(q)
  if (!q || !k100) return 'not measured'
  const at = (steps: number) => qualityAt(q, steps)?.precision.toFixed(2) ?? '-'
  const flag = teacherWarning(q) ? '  LOW PRECISION' : ''
  return (
    `K=100 prec ${k100.precision.toFixed(2)} rec ${k100.recall.toFixed(2)} SWD ${k100.swd.toFixed(4)}` +
    ` (prec K=1 ${at(1)}, K=10 ${at(10)}; data ${q.floor.precision.toFixed(2)})${flag}`
  )
}

/** The distillation header's warning line, or null for a good (or unmeasured) teacher. */
export function teacherWarningLine(q: TeacherQuality | null | undefined): string | null {
  return warningLine(teacherWarning(q))
}

/** The final report's warning for a teacher without stored figures, from the run's own evaluation of it. */
export function evaluatedTeacherWarningLine(
  teacherPrecision: number | undefined,
  floorPrecision: number | undefined,
): string | null {
  return warningLine(evaluatedTeacherWarning(teacherPrecision, floorPrecision))
}

function warningLine(warning: string | null): string | null {
  return warning ? `warning: ${warning}` : null
}
