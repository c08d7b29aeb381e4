import type { DistillConfig } from './schemas'

/**
 * Fields added to DistillConfig after runs were first stored, each with the value those older runs ran
 * with (not today's default, which may differ): a stored run, a checkpoint header or an exported run folder
 * written before a field existed is read with this value, so it still resumes and compares as what it was.
 */
export const DISTILL_FIELDS_ADDED = { teacherSubsteps: 1, topPairShare: 0, sigmaMax: null } as const satisfies Partial<DistillConfig>

export function completeStoredDistillConfig<T extends object>(config: T): T & Partial<DistillConfig> {
  return { ...DISTILL_FIELDS_ADDED, ...config }
}
