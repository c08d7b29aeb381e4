/**
 * The config diff of the Compare view: one row per config field, one cell per run. Values are compared by
 * a canonical JSON (object keys sorted), so nested objects and arrays such as `multistepSigmas` count as
 * equal exactly when their contents are; a field one run lacks differs from one it has.
 */

export interface DiffRow {
  field: string
  /** The raw values per run (undefined where the run's config lacks the field). */
  values: unknown[]
  /** Display text per run. */
  cells: string[]
  /** Whether the runs disagree on this field. */
  differs: boolean
}

/** Canonical JSON: sorted object keys, so `{a, b}` and `{b, a}` compare equal; undefined stays distinct. */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return '\u0000undefined'
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value)
  if (value === null || typeof value !== 'object') return JSON.stringify(value)
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  const obj = value as Record<string, unknown>
  return `{${Object.keys(obj)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`)
    .join(',')}}`
}

/** How a config value reads in a table cell. */
export function formatValue(value: unknown): string {
  if (value === undefined) return '—'
  if (value === null) return 'null'
  if (typeof value === 'number') return formatNumber(value)
  if (typeof value === 'string') return value
  if (Array.isArray(value)) return `[${value.map(formatValue).join(', ')}]`
  return JSON.stringify(value)
}

/** Compact numbers: 0.001 → 1e-3 only when that is shorter, integers as they are. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value)
  if (Number.isInteger(value)) return String(value)
  const plain = String(Number(value.toPrecision(6)))
  const exp = value
    .toExponential()
    .replace(/\.?0+e/, 'e')
    .replace('e+', 'e')
  return exp.length < plain.length ? exp : plain
}

function asRecord(config: unknown): Record<string, unknown> {
  return config !== null && typeof config === 'object' && !Array.isArray(config)
    ? (config as Record<string, unknown>)
    : {}
}

/** Rows for every field any config has, in the order fields first appear (config order reads naturally). */
export function diffConfigs(configs: readonly unknown[]): DiffRow[] {
  const records = configs.map(asRecord)
  const fields: string[] = []
  const seen = new Set<string>()
  for (const r of records)
    for (const k of Object.keys(r))
      if (!seen.has(k)) {
        seen.add(k)
        fields.push(k)
      }
  return fields.map((field) => {
    const values = records.map((r) => (Object.hasOwn(r, field) ? r[field] : undefined))
    const keys = values.map(canonicalJson)
    return { field, values, cells: values.map(formatValue), differs: keys.some((k) => k !== keys[0]) }
  })
}

export function visibleRows<R extends DiffRow>(rows: readonly R[], differencesOnly: boolean): R[] {
  return differencesOnly ? rows.filter((r) => r.differs) : rows.slice()
}

/** Fields that say nothing about how a run differs in kind (they differ between almost all runs). */
const LABEL_SKIP = new Set(['backend', 'teacher'])

/**
 * A short label per run for legends: the fields that differ between the compared runs (`numScales=18,
 * lr=1e-3`), or the algorithm and dataset when nothing differs.
 */
export function shortLabels(configs: readonly unknown[], maxFields = 3): string[] {
  const rows = diffConfigs(configs).filter((r) => r.differs && !LABEL_SKIP.has(r.field))
  return configs.map((config, i) => {
    if (rows.length === 0 || configs.length < 2) {
      const c = asRecord(config)
      const parts = [c.algorithm ?? (c.numSteps !== undefined ? 'teacher' : undefined), c.dataset].filter(
        (p) => p !== undefined,
      )
      return parts.map(formatValue).join(' · ')
    }
    const shown = rows.slice(0, maxFields).map((r) => `${r.field}=${r.cells[i]}`)
    if (rows.length > maxFields) shown.push('…')
    return shown.join(', ')
  })
}

/** The numeric fields any config has (candidates for the x axis of the hyperparameter scatter). */
export function numericFields(configs: readonly unknown[]): string[] {
  const out: string[] = []
  for (const row of diffConfigs(configs))
    if (row.values.some((v) => typeof v === 'number' && Number.isFinite(v))) out.push(row.field)
  return out
}
