/**
 * Flag parsing helpers. Invalid arguments exit with code 2 and a message that names the flag; config
 * validation problems are reported under the flag that set the field.
 */
import { InvalidArgumentError } from 'commander'
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
 * `--sigma-max`: a sigma, or `last` for the teacher's last step (ALGORITHM.md's grid), which
 * resolveDistillConfig turns into the config's null (commander stores a parser's null as '').
 */
export function sigmaMaxArg(value: string): number | 'last' {
  return value.trim() === 'last' ? 'last' : numberArg(value)
}

export function numberListArg(value: string): number[] {
  return value.split(',').map((part) => numberArg(part.trim()))
}

/** Config field -> the flag that sets it, for error messages. */
export const DISTILL_FLAGS: Record<string, string> = {
  dataset: '--dataset',
  teacher: '--teacher',
  algorithm: '--algorithm',
  numScales: '--N',
  grid: '--grid',
  targetEma: '--ema',
  evalEma: '--eval-ema',
  lr: '--lr',
  lrSchedule: '--lr-schedule',
  warmupSteps: '--warmup',
  batch: '--batch',
  steps: '--steps',
  loss: '--loss',
  weighting: '--weighting',
  huberC: '--huber-c',
  solver: '--solver',
  teacherSubsteps: '--substeps',
  topPairShare: '--top-share',
  sigmaMax: '--sigma-max',
  sigmaData: '--sigma-data',
  seed: '--seed',
  backend: '--backend',
  evalEvery: '--eval-every',
  sampleEvery: '--sample-every',
  checkpointEvery: '--checkpoint-every',
  evalSamples: '--eval-samples',
  multistepSigmas: '--multistep-sigmas',
}

export const TEACHER_FLAGS: Record<string, string> = {
  dataset: '--dataset',
  model: '--model',
  unetChannels: '--unet-channels',
  unetMultipliers: '--unet-multipliers',
  unetResBlocks: '--unet-res-blocks',
  unetGroups: '--unet-groups',
  numSteps: '--T',
  betaSchedule: '--beta-schedule',
  betaStart: '--beta-start',
  betaEnd: '--beta-end',
  hiddenWidth: '--width',
  hiddenDepth: '--depth',
  timeEmbeddingDim: '--time-embedding',
  lr: '--lr',
  batch: '--batch',
  steps: '--steps',
  seed: '--seed',
  backend: '--backend',
}

export function usageFromConfigError(error: ConfigError, flags: Record<string, string>): UsageError {
  return new UsageError(error.problems.map((p) => formatProblem(p, (field) => flags[field] ?? field)).join('\n'))
}

/** Copies the options that were given on the command line into config fields. */
export function pickConfig(options: Record<string, unknown>, flags: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [field, flag] of Object.entries(flags)) {
    const key = flagToOptionKey(flag)
    if (options[key] !== undefined) out[field] = options[key]
  }
  return out
}

/** commander's camel-casing of a flag: `--eval-ema` -> `evalEma`, `--N` -> `N`. */
export function flagToOptionKey(flag: string): string {
  return flag.replace(/^--/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())
}
