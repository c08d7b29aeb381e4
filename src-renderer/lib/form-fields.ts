/**
 * The run form's fields, read from the field registry (@shared/config/distill-fields.ts): label, meaning,
 * valid range and bounds (the schema's own, so the form and validation agree), and how each is edited.
 * The form keeps every value as the text the user typed, so a bad value reaches validation unchanged and
 * its message can name it; `fieldValue` turns text into what the config expects.
 */
import { DISTILL_FIELDS } from '@shared/config/distill-fields'
import { DISTILL_DEFAULTS } from '@shared/config/defaults'
import { SWEEPABLE_FIELDS } from '@shared/config/fields'
import { inputStep, rangeText, type FieldGroup, type FieldKind, type FieldSpec } from '@shared/config/registry'
import type { DistillConfig } from '@shared/config/schemas'

export type FieldKey = keyof DistillConfig
export type { FieldGroup, FieldKind }

export interface FieldMeta {
  key: FieldKey
  label: string
  /** What the field means, in one or two sentences. */
  help: string
  /** The valid range as the user reads it. */
  range: string
  kind: FieldKind
  group: FieldGroup
  options?: readonly string[]
  min?: number
  max?: number
  /** Input step for number inputs ("any" for reals). */
  step?: string
  /** Whether a branch (same checkpoint, edited hyperparameters) may change it. */
  branchable: boolean
  /** Worth a sweep axis (numeric fields only). */
  sweepable: boolean
}

export const FIELD_GROUPS: ReadonlyArray<{ id: FieldGroup; label: string }> = [
  { id: 'data', label: 'Data and teacher' },
  { id: 'method', label: 'Method' },
  { id: 'loss', label: 'Loss' },
  { id: 'optimiser', label: 'Optimiser' },
  { id: 'run', label: 'Run' },
]

function metaOf(spec: FieldSpec<FieldKey>): FieldMeta {
  const step = inputStep(spec)
  return {
    key: spec.key,
    label: spec.label,
    help: spec.help,
    range: rangeText(spec),
    kind: spec.kind,
    group: spec.group ?? 'run',
    ...(spec.options ? { options: spec.options } : {}),
    // A list's bounds are its entries'; the input itself has none.
    ...(spec.bounds && spec.kind !== 'number-list'
      ? { min: spec.bounds.min, ...(spec.bounds.max !== undefined ? { max: spec.bounds.max } : {}) }
      : {}),
    ...(step ? { step } : {}),
    branchable: spec.branchable ?? false,
    sweepable: spec.sweepable ?? false,
  }
}

/** The form's fields of a registry, in its order (DISTILL_FIELDS, or a test's registry built on it). */
export function formFieldsOf(specs: readonly FieldSpec[]): FieldMeta[] {
  return specs.map((spec) => metaOf(spec as FieldSpec<FieldKey>))
}

export const FIELDS: readonly FieldMeta[] = formFieldsOf(DISTILL_FIELDS)

const BY_KEY = new Map(FIELDS.map((f) => [f.key as string, f]))

export function fieldMeta(key: string): FieldMeta | undefined {
  return BY_KEY.get(key)
}

export function fieldLabel(key: string): string {
  return BY_KEY.get(key)?.label ?? key
}

/** Fields a branch may change (the rest, BRANCH_MUST_KEEP, stay the parent's). */
export const BRANCHABLE_KEYS: readonly FieldKey[] = FIELDS.filter((f) => f.branchable).map((f) => f.key)

/** The sweep builder's axes: the registry's sweepable fields, as the CLI and the service take them. */
export const SWEEPABLE_KEYS: readonly FieldKey[] = SWEEPABLE_FIELDS

/** Form text of a config value. */
export function fieldText(meta: FieldMeta, value: unknown): string {
  if (value === null || value === undefined) return ''
  if (meta.kind === 'number-list' && Array.isArray(value)) return value.join(', ')
  return String(value)
}

/** A number from form text, or null when the text is not one number (empty, "abc", "1e"). */
export function parseNumber(text: string): number | null {
  const t = text.trim()
  if (t === '') return null
  const n = Number(t)
  return Number.isFinite(n) ? n : null
}

/**
 * The config value of form text. Text that is not a number is passed on as typed, so validation rejects
 * it with a message that names it ("N must be a number (got "abc")").
 */
export function fieldValue(meta: FieldMeta, text: string): unknown {
  switch (meta.kind) {
    case 'int':
    case 'number':
      return parseNumber(text) ?? text
    case 'optional-number':
      return text.trim() === '' ? null : (parseNumber(text) ?? text)
    case 'number-list': {
      const parts = text
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '')
      return parts.map((p) => parseNumber(p) ?? p)
    }
    default:
      return text
  }
}

/** The form texts of a (partial) config, over the defaults. */
export function textsOf(
  config: Partial<Record<string, unknown>>,
  base: Record<string, unknown> = DISTILL_DEFAULTS,
): Record<string, string> {
  const out: Record<string, string> = {}
  for (const meta of FIELDS) out[meta.key] = fieldText(meta, meta.key in config ? config[meta.key] : base[meta.key])
  return out
}

/** The config of form texts (every known field). */
export function configOf(texts: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const meta of FIELDS) {
    const text = texts[meta.key]
    if (text !== undefined) out[meta.key] = fieldValue(meta, text)
  }
  return out
}
