import { TOP_REPLAY_STEPS } from '@shared/config/choices'
import { behaviourOf, differingFields, effectiveValues } from '@shared/config/effective'
import type { DistillConfig } from '@shared/config/schemas'

/**
 * One line saying how a distillation learns, from the values it trains with (the effective config: iCT's
 * mu 0 and 1/gap weighting whatever was asked, with the asked value beside it where it differs): the
 * algorithm and N, for cd how the teacher solves each hop, the weighting, the top pair share (and its
 * target where it is the teacher's solve to sigma_min, and that solve's replay), sigma_max and the target EMA; a field the algorithm never reads is left out. Runs stored before teacherSubsteps existed show no substep count, those before topPairShare no share,
 * and those before sigmaMax (the teacher's last step) no sigma_max.
 */
export function methodText(requested: Partial<DistillConfig>): string {
  const config = effectiveValues(requested)
  const behaviour = behaviourOf(config.algorithm)
  const reads = (field: keyof DistillConfig) => behaviour !== null && !behaviour.unused.includes(field)
  const differs = new Map(differingFields(requested, config).map((d) => [d.field, d.requested]))
  const asked = (field: keyof DistillConfig, text: (value: never) => string) =>
    differs.has(field) ? ` (asked ${text(differs.get(field) as never)})` : ''
  const lambda = (weighting: string) => (weighting === 'inverse-gap' ? 'λ 1/gap' : 'λ 1')
  const parts = [`${config.algorithm ?? '—'}, N ${config.numScales ?? '—'}`]
  if (config.solver && reads('solver')) {
    const substeps = config.teacherSubsteps ?? 1
    parts.push(`teacher ${config.solver}${substeps > 1 ? ` in ${substeps} substeps` : ''} per hop`)
  }
  if (config.weighting && reads('weighting')) parts.push(`${lambda(config.weighting)}${asked('weighting', lambda)}`)
  if (config.topPairShare && reads('topPairShare')) {
    const target =
      config.topPairTarget === 'sigma-min' && reads('topPairTarget')
        ? `, its target the teacher's solve to σ_min${config.topPairReplay ? `, replayed ${config.topPairReplay}x from the last ${TOP_REPLAY_STEPS} steps` : ''}`
        : ''
    parts.push(`top pair ${Math.round(config.topPairShare * 100)}% of each batch${target}`)
  }
  if (config.sigmaMax != null && reads('sigmaMax')) parts.push(`σ_max ${config.sigmaMax}`)
  parts.push(`mu ${config.targetEma ?? '—'}${asked('targetEma', String)}`)
  return parts.join(', ')
}
