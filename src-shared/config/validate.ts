import type { z } from 'zod'
import { dataDefaults, DISTILL_DEFAULTS, SINGLE_STEP_DEFAULTS, TEACHER_DEFAULTS, teacherDataDefaults } from './defaults'
import { DistillConfigSchema, TeacherConfigSchema, type DistillConfig, type TeacherConfig } from './schemas'
import { behaviourOf } from './effective'

export interface FieldProblem {
  /** Config field path, e.g. `numScales`. */
  field: string
  message: string
  value: unknown
}

/** A config that failed validation; `problems` names every bad field and value. */
export class ConfigError extends Error {
  constructor(readonly problems: FieldProblem[]) {
    super(problems.map((p) => formatProblem(p)).join('; '))
    this.name = 'ConfigError'
  }
}

export function formatProblem(p: FieldProblem, fieldName: (field: string) => string = (f) => f): string {
  const got = p.value === undefined ? '' : ` (got ${JSON.stringify(p.value)})`
  return `${fieldName(p.field)}: ${p.message}${got}`
}

function problemsOf(error: z.ZodError, input: Record<string, unknown>): FieldProblem[] {
  return error.issues.flatMap((issue) => {
    // One problem per unknown key, named by it (a form shows those with the whole-config problems).
    if (issue.code === 'unrecognized_keys')
      return issue.keys.map((key) => ({ field: key, message: `unknown field ${key}`, value: input[key] }))
    const top = issue.path[0]
    return [
      {
        field: issue.path.join('.') || '(config)',
        message: issue.message,
        value: top === undefined ? undefined : input[String(top)],
      },
    ]
  })
}

function parseWith<T>(schema: z.ZodType<T>, defaults: T, partial: Record<string, unknown>): T {
  const input = { ...(defaults as Record<string, unknown>), ...stripUndefined(partial) }
  const result = schema.safeParse(input)
  if (!result.success) throw new ConfigError(problemsOf(result.error, input))
  return result.data
}

function stripUndefined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined))
}

/**
 * Configs this process has parsed, with their JSON then. A parsed config handed on and parsed again (the
 * CLI's to the run service, a sweep point's to its start) comes back as it is, unchecked, while it is
 * unchanged: a config is checked once per process. Only objects a parse returned are known here, so input
 * from outside (the API, a file, the engine's messages) is always checked.
 */
const parsedDistill = new WeakMap<object, string>()
const parsedTeacher = new WeakMap<object, string>()

function parseOnce<T extends object>(
  parsed: WeakMap<object, string>,
  partial: Record<string, unknown>,
  parse: () => T,
): T {
  const seen = parsed.get(partial)
  if (seen !== undefined && seen === JSON.stringify(partial)) return partial as T
  const config = parse()
  parsed.set(config, JSON.stringify(config))
  return config
}

/** Fills defaults, then validates; throws ConfigError naming every bad field. A parsed config is not parsed again. */
export function parseDistillConfig(partial: Record<string, unknown>): DistillConfig {
  return parseOnce(parsedDistill, partial, () => parseDistillConfigFully(partial))
}

function parseDistillConfigFully(partial: Record<string, unknown>): DistillConfig {
  const defaults = { ...DISTILL_DEFAULTS, ...kindDefaults(partial.dataset, partial.algorithm) }
  // The default warm-up is at most a tenth of a short run, so `--steps 50` needs no `--warmup` as well;
  // from valid steps only, so bad steps are reported as such, not as a bad warm-up derived from them.
  const steps = partial.steps
  if (partial.warmupSteps === undefined && typeof steps === 'number' && Number.isSafeInteger(steps) && steps >= 1) {
    defaults.warmupSteps = Math.min(DISTILL_DEFAULTS.warmupSteps, Math.floor(steps / 10))
  }
  const config = parseWith(DistillConfigSchema, defaults, partial)
  if (config.algorithm === 'tutorial' && config.sigmaMax !== null) {
    throw new ConfigError([
      {
        field: 'sigmaMax',
        message: "the walkthrough's loop (tutorial) runs over all T teacher steps and has no grid top; leave it empty",
        value: config.sigmaMax,
      },
    ])
  }
  if (config.warmupSteps > config.steps) {
    throw new ConfigError([
      { field: 'warmupSteps', message: `must not exceed steps (${config.steps})`, value: config.warmupSteps },
    ])
  }
  return config
}

export function parseTeacherConfig(partial: Record<string, unknown>): TeacherConfig {
  return parseOnce(parsedTeacher, partial, () =>
    parseWith(TeacherConfigSchema, { ...TEACHER_DEFAULTS, ...teacherDataDefaults(partial.dataset) }, partial),
  )
}

/**
 * Defaults that depend on the algorithm, applied only where the caller left the field unset: the default
 * preset was measured for cd, the others start from SINGLE_STEP_DEFAULTS; the walkthrough's loop uses EMA
 * 0.99; iCT has no EMA target (mu = 0) and uses pseudo-Huber.
 */
/** The defaults over DISTILL_DEFAULTS for this kind of run: its kind of data, then its algorithm. */
export function kindDefaults(dataset: unknown, algorithm: unknown): Partial<DistillConfig> {
  return { ...dataDefaults(dataset), ...algorithmDefaults(algorithm) }
}

export function algorithmDefaults(algorithm: unknown): Partial<DistillConfig> {
  // The values an algorithm trains with whatever is asked (effective.ts) are its defaults, so a form
  // filled with defaults shows them (iCT: mu 0 and inverse-gap weighting).
  const fixed = behaviourOf(algorithm)?.overrides
  if (algorithm === 'tutorial') return { ...SINGLE_STEP_DEFAULTS, targetEma: 0.99, ...fixed }
  if (algorithm === 'ict') return { ...SINGLE_STEP_DEFAULTS, loss: 'huber', ...fixed }
  if (algorithm === 'ct') return SINGLE_STEP_DEFAULTS
  return {}
}
