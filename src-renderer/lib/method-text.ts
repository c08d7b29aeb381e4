import type { DistillConfig } from '@shared/config/schemas'

/**
 * One line saying how a distillation learns: the algorithm and N, for cd how the teacher solves each hop and
 * the weighting, the top pair share and the target EMA. Runs stored before teacherSubsteps existed show no
 * substep count, those before topPairShare no share, and those before sigmaMax (the teacher's last step) no
 * sigma_max.
 */
export function methodText(config: Partial<DistillConfig>): string {
  const parts = [`${config.algorithm ?? '—'}, N ${config.numScales ?? '—'}`]
  if (config.algorithm === 'cd' && config.solver) {
    const substeps = config.teacherSubsteps ?? 1
    parts.push(`teacher ${config.solver}${substeps > 1 ? ` in ${substeps} substeps` : ''} per hop`)
  }
  if (config.weighting && config.algorithm !== 'tutorial') parts.push(config.algorithm === 'ict' || config.weighting === 'inverse-gap' ? 'λ 1/gap' : 'λ 1')
  if (config.topPairShare && config.algorithm !== 'tutorial') parts.push(`top pair ${Math.round(config.topPairShare * 100)}% of each batch`)
  if (config.sigmaMax != null && config.algorithm !== 'tutorial') parts.push(`σ_max ${config.sigmaMax}`)
  parts.push(`mu ${config.algorithm === 'ict' ? 0 : (config.targetEma ?? '—')}`)
  return parts.join(', ')
}
