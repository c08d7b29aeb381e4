/** Human-readable tables for the terminal. */
import type { EvalRow, SupportMetricName } from '@shared/cd/evaluation'

const SUPPORT_COLUMNS: readonly (readonly [SupportMetricName, string])[] = [
  ['precision', 'precision'],
  ['recall', 'recall'],
  ['density', 'density'],
  ['coverage', 'coverage'],
  ['offSupport', 'off-support'],
]

function formatSupport(metric: SupportMetricName, value: number | undefined): string {
  if (value === undefined || Number.isNaN(value)) return '-'
  return metric === 'offSupport' ? `${(100 * value).toFixed(1)} %` : value.toFixed(3)
}

export function evaluationTable(rows: EvalRow[]): string {
  // Image runs with a classifier also have the Fréchet distance in its features.
  const withFd = rows.some((r) => r.fd !== undefined)
  // Metrics that see structure (#17); runs recorded before them have none, and images no off-support share.
  const support = SUPPORT_COLUMNS.filter(([metric]) => rows.some((r) => r[metric] !== undefined))
  const header = [
    'model',
    'NFE',
    'sliced W',
    'energy',
    'MMD',
    ...(withFd ? ['Fréchet'] : []),
    ...support.map(([, title]) => title),
    'ms/sample',
  ]
  const body = rows.map((r) => [
    r.model === 'data' ? 'data floor' : r.model,
    r.model === 'data' ? '-' : String(r.nfe),
    r.swd.toFixed(4),
    r.energy.toFixed(5),
    r.mmd.toFixed(4),
    ...(withFd ? [r.fd === undefined ? '-' : r.fd.toFixed(3)] : []),
    ...support.map(([metric]) => formatSupport(metric, r[metric])),
    r.model === 'data' ? '-' : r.msPerSample.toFixed(4),
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] as string).length)))
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i] as number)).join('  ')
  return [line(header), ...body.map(line)].join('\n')
}

/** The table for people, and with --json the summary object as the last line of stdout (the table moves to stderr). */
export function printResult(text: string, summary: object, json: boolean | undefined): void {
  if (json) {
    process.stderr.write(`${text}\n`)
    process.stdout.write(`${JSON.stringify(summary)}\n`)
  } else {
    process.stdout.write(`${text}\n`)
  }
}
