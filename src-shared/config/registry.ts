/**
 * The field registry's shape: what the app knows about one config field, written once. The distillation
 * fields are in distill-fields.ts, the teacher's in teacher-fields.ts; the zod schemas (bounds and names),
 * the run and teacher forms, the CLI options and their help, the sweep axes, the branch and resume rules
 * and the fill-in of records written before a field existed are all read from there.
 */
import type { ModelKind } from './choices'

export type FieldKind =
  /** An integer. */
  | 'int'
  /** A real number. */
  | 'number'
  /** A real number or empty (= null, the automatic value). */
  | 'optional-number'
  /** Comma-separated numbers. */
  | 'number-list'
  /** Comma-separated integers. */
  | 'int-list'
  | 'select'
  /** Free text (the teacher is picked by its own control). */
  | 'text'

/** The distillation form's groups. */
export type FieldGroup = 'data' | 'method' | 'optimiser' | 'loss' | 'run'

/** A numeric field's valid range; an open end excludes the value itself (lr > 0, mu < 1). */
export interface FieldBounds {
  min: number
  max?: number
  minOpen?: boolean
  maxOpen?: boolean
}

export interface FieldCli {
  /** The flag, e.g. `--N`; commander's option key is its camel case (`--eval-ema` -> `evalEma`). */
  flag: string
  /** The argument as help shows it, e.g. `<n>`. */
  arg: string
  help: string
  required?: boolean
  /** A word the flag takes for the config's null (`--sigma-max last`). */
  nullWord?: string
  /** The default as help shows it, where the value alone would not say it (e.g. one that follows the data). */
  defaultText?: string
}

/**
 * The value a record written before the field existed ran with (not today's default, which may differ).
 * `stored`: filled in when a stored run, checkpoint header or exported run folder is read
 * (completeStoredDistillConfig); `schema`: the schema's own default, from before that fill-in existed.
 */
export interface FieldLegacy {
  value: unknown
  by: 'stored' | 'schema'
}

/** A distillation field's column in the runs table (the run's own columns and its metrics are the renderer's). */
export interface FieldColumn {
  /** The header; default the field's symbol, else its label. */
  label?: string
  /** The header's tooltip. */
  title: string
  /** Width (CSS length); rows keep one height, so cells never wrap. */
  width: string
  /** How a cell reads: as it is (default), as a learning rate (1e-3), or steps done / planned while running. */
  format?: 'plain' | 'lr' | 'progress'
}

export interface FieldSpec<K extends string = string> {
  key: K
  /** The form's label. */
  label: string
  /** The field's symbol in the papers and in compact text (N, mu, sigma_max), where it has one. */
  symbol?: string
  /** The field's name in validation messages ("N must be at least 2"). */
  what: string
  /** What the field means, in one or two sentences (the form's help). */
  help: string
  /** The valid range as a person reads it, where rangeText cannot say it from the bounds. */
  range?: string
  kind: FieldKind
  options?: readonly string[]
  /** A number's range; for a list, each entry's. */
  bounds?: FieldBounds
  /** A list's length. */
  items?: { min?: number; max: number }
  /** What the config's null means (help shows it as the default, e.g. "0.00054 sqrt(dim)"). */
  nullMeans?: string
  cli?: FieldCli
  /** The distillation form's group. */
  group?: FieldGroup
  /** A branch (same checkpoint, edited hyperparameters) may change it. */
  branchable?: boolean
  /** A sweep may list several values of it (numeric fields only). */
  sweepable?: boolean
  /** A resumed run may change it (it does not change what the checkpoint's weights mean or how they train). */
  resumable?: boolean
  legacy?: FieldLegacy
  /** The field's column in the runs table, where it has one (the table shows the value the run trained with). */
  column?: FieldColumn
  /** Teacher form: shown under "More settings". */
  advanced?: boolean
  /** Teacher form: the networks the field configures (absent: every one). */
  models?: readonly ModelKind[]
  /** Not shown as a form field (the teacher's model follows its dataset). */
  noForm?: boolean
}

/** The valid range as a person reads it: the spec's own words, else said from its options or bounds. */
export function rangeText(spec: FieldSpec): string {
  if (spec.range !== undefined) return spec.range
  if (spec.options) return spec.options.join(', ')
  const b = spec.bounds
  if (!b) return ''
  if (spec.kind === 'int') return `integer, ${b.min} … ${b.max ?? '∞'}`
  if (b.max === undefined) return `${b.minOpen ? '>' : '≥'} ${b.min}`
  if (!b.minOpen && !b.maxOpen) return `${b.min} … ${b.max}`
  return `${b.min} ${b.minOpen ? '<' : '≤'} value ${b.maxOpen ? '<' : '≤'} ${b.max}`
}

/** The input step of a numeric form field. */
export function inputStep(spec: FieldSpec): string | undefined {
  if (spec.kind === 'int') return '1'
  if (spec.kind === 'number' || spec.kind === 'optional-number') return 'any'
  return undefined
}

export function specsByKey<S extends FieldSpec>(specs: readonly S[]): ReadonlyMap<string, S> {
  return new Map(specs.map((s) => [s.key, s]))
}

/** The spec of `key`; a key the registry lacks is a programming error, so it throws. */
export function specOf<S extends FieldSpec>(byKey: ReadonlyMap<string, S>, key: string): S {
  const spec = byKey.get(key)
  if (!spec) throw new Error(`no field ${key} in the registry`)
  return spec
}

/** A numeric field's bounds; a field without them is a programming error, so it throws. */
export function boundsOf(
  byKey: ReadonlyMap<string, FieldSpec>,
  key: string,
): Required<Pick<FieldBounds, 'min'>> & FieldBounds {
  const bounds = specOf(byKey, key).bounds
  if (!bounds) throw new Error(`field ${key} has no bounds`)
  return bounds
}

/** Config field -> the flag that sets it (for error messages and for picking a config out of options). */
export function flagsOf(specs: readonly FieldSpec[]): Record<string, string> {
  return Object.fromEntries(specs.flatMap((s) => (s.cli ? [[s.key, s.cli.flag]] : [])))
}

/** Whether the field's value is a number (a table sorts and range-filters it as one). */
export function isNumericKind(kind: FieldKind): boolean {
  return kind === 'int' || kind === 'number' || kind === 'optional-number'
}

/** A field's short name in tables and diffs: its symbol where it has one, else its label; unknown keys as they are. */
export function shortNameOf(byKey: ReadonlyMap<string, FieldSpec>, key: string): string {
  const spec = byKey.get(key)
  return spec?.symbol ?? spec?.label ?? key
}
