/**
 * A field's default per kind of run, as help text shows it: the default preset's value (cd on 2D data),
 * then where the kind of data or the algorithm changes it (kindDefaults).
 */
import { ALGORITHMS } from './choices'
import { DISTILL_DEFAULTS, TEACHER_DEFAULTS, teacherDataDefaults } from './defaults'
import type { FieldSpec } from './registry'
import { kindDefaults } from './validate'

/** The form of a default in help: a list comma-separated, null as what it means. */
export function defaultValueText(spec: FieldSpec, value: unknown): string {
  if (value === null || value === undefined) return spec.nullMeans ?? 'empty'
  if (Array.isArray(value)) return value.join(',')
  return String(value)
}

/** `6; 18 for image data, tutorial, ct, ict`: the default, then each other value with the kinds of run that take it. */
export function distillDefaultText(spec: FieldSpec): string {
  if (spec.cli?.defaultText !== undefined) return spec.cli.defaultText
  const key = spec.key as keyof typeof DISTILL_DEFAULTS
  const base = defaultValueText(spec, DISTILL_DEFAULTS[key])
  const kinds: Array<[string, unknown]> = [
    ['image data', kindDefaults('image:any', 'cd')[key]],
    ...ALGORITHMS.filter((a) => a !== 'cd').map((a): [string, unknown] => [a, kindDefaults(undefined, a)[key]]),
  ]
  const others = new Map<string, string[]>()
  for (const [kind, value] of kinds) {
    if (value === undefined) continue
    const text = defaultValueText(spec, value)
    if (text !== base) others.set(text, [...(others.get(text) ?? []), kind])
  }
  return [base, ...[...others].map(([text, names]) => `${text} for ${names.join(', ')}`)].join('; ')
}

/** `0.999; 0 for image data`: the 2D teacher's default, then the image teacher's where it differs. */
export function teacherDefaultText(spec: FieldSpec): string {
  if (spec.cli?.defaultText !== undefined) return spec.cli.defaultText
  const key = spec.key as keyof typeof TEACHER_DEFAULTS
  const base = defaultValueText(spec, TEACHER_DEFAULTS[key])
  const image = teacherDataDefaults('image:any')[key]
  const imageText = image === undefined ? base : defaultValueText(spec, image)
  return imageText === base ? base : `${base}; ${imageText} for image data`
}
