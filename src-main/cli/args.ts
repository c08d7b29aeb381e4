/**
 * Flag parsing helpers. Invalid arguments exit with code 2 and a message that names the flag; config
 * validation problems are reported under the flag that set the field.
 */
import { InvalidArgumentError } from 'commander'
import { DISTILL_FIELDS } from '@shared/config/distill-fields'
import { flagsOf, type FieldSpec } from '@shared/config/registry'
import { TEACHER_FIELDS } from '@shared/config/teacher-fields'
import { formatProblem, type ConfigError } from '@shared/config/validate'

export const EXIT_OK = 0
export const EXIT_FAILED = 1
export const EXIT_USAGE = 2

/** Thrown for bad command-line input; main() prints it and exits with code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UsageError'
  }
}

export function numberArg(value: string): number {
  const n = Number(value)
  if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(`expected a number, got "${value}"`)
  return n
}

/**
 * An optional number's flag: a number, or the word that stands for the config's null (`--sigma-max last`:
 * the teacher's last step). pickConfig turns the word into null (commander stores a parser's null as '').
 */
export function nullWordArg(word: string): (value: string) => number | string {
  return (value) => (value.trim() === word ? word : numberArg(value))
}

export function numberListArg(value: string): number[] {
  return value.split(',').map((part) => numberArg(part.trim()))
}

/** Config field -> the flag that sets it, for error messages. */
export const DISTILL_FLAGS: Record<string, string> = flagsOf(DISTILL_FIELDS)
export const TEACHER_FLAGS: Record<string, string> = flagsOf(TEACHER_FIELDS)

export function usageFromConfigError(error: ConfigError, flags: Record<string, string>): UsageError {
  return new UsageError(error.problems.map((p) => formatProblem(p, (field) => flags[field] ?? field)).join('\n'))
}

/** Copies the options that were given on the command line into config fields (a field's null word as null). */
export function pickConfig(options: Record<string, unknown>, specs: readonly FieldSpec[]): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const spec of specs) {
    if (!spec.cli) continue
    const value = options[flagToOptionKey(spec.cli.flag)]
    if (value !== undefined)
      out[spec.key] = spec.cli.nullWord !== undefined && value === spec.cli.nullWord ? null : value
  }
  return out
}

/** commander's camel-casing of a flag: `--eval-ema` -> `evalEma`, `--N` -> `N`. */
export function flagToOptionKey(flag: string): string {
  return flag.replace(/^--/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())
}
