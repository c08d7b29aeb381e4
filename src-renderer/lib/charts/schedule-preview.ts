/**
 * Previews before launch: the sigma levels a run trains on (the chosen N and grid on the teacher's noise
 * schedule) and its schedules over training steps: N(k), the target decay mu(k), the evaluation EMA decay
 * and the learning rate lr(k), from the effective config (@shared/config/effective), which the engine
 * trains with: the preview is the run.
 */
import type { ChartConfiguration, ChartDataset } from 'chart.js'
import { evalEmaDecayAt, ICT_START_SCALES, ictNumScales, learningRateAt } from '@shared/cd/training-schedules'
import { scheduleOf } from '@shared/cd/schedule'
import {
  behaviourOf,
  evalEmaAtStep,
  finalNumScales,
  learningRateAtStep,
  numScalesAt,
  targetMuAt,
  trainedSteps,
} from '@shared/config/effective'
import type { DistillConfig, TeacherConfig } from '@shared/config/schemas'
import { LIGHT_THEME, runColor, type ChartTheme } from './theme'
import type { XY } from './loss-curve'

// The schedules are the effective config's, the functions the engine trains with; these are re-exported for the tests.
export { ICT_START_SCALES, evalEmaDecayAt, ictNumScales, learningRateAt, numScalesAt, targetMuAt }

export type TeacherNoise = Pick<TeacherConfig, 'numSteps' | 'betaSchedule' | 'betaStart' | 'betaEnd'>

export interface SigmaLevels {
  /** Teacher steps of the levels, clean to noisy. */
  steps: number[]
  sigmas: number[]
  /** N the levels were built for (the final N for ict). */
  numScales: number
}

/**
 * The levels the student is trained on at the end of the run, by the builder Distiller.trainedSteps uses:
 * the walkthrough's (n T / N for n = 1..N, clamped to the last step), otherwise the uniform or Karras grid.
 * Throws the schedule's error when the teacher's last step is not noise.
 */
export function sigmaLevels(
  config: Pick<DistillConfig, 'algorithm' | 'numScales' | 'steps' | 'grid'> & Partial<Pick<DistillConfig, 'sigmaMax'>>,
  teacher: TeacherNoise,
): SigmaLevels {
  const schedule = scheduleOf(teacher)
  const steps = trainedSteps(config, schedule)
  return { steps, sigmas: steps.map((k) => schedule.sigma[k] as number), numScales: finalNumScales(config) }
}

export interface TrainingSchedules {
  numScales: XY[]
  mu: XY[]
  evalEma: XY[]
  lr: XY[]
}

/**
 * The schedules at about `samples` steps spread over the run, plus every step where N(k) changes (so the
 * stairs are exact) and the end of the warm-up.
 */
export function trainingSchedules(
  config: Pick<
    DistillConfig,
    'algorithm' | 'numScales' | 'steps' | 'targetEma' | 'evalEma' | 'lr' | 'lrSchedule' | 'warmupSteps'
  >,
  samples = 200,
): TrainingSchedules {
  const K = config.steps
  const ks = new Set<number>()
  for (let i = 0; i <= samples; i++) ks.add(Math.round((i * (K - 1)) / samples))
  if (config.warmupSteps > 0 && config.warmupSteps < K) {
    ks.add(config.warmupSteps - 1)
    ks.add(config.warmupSteps)
  }
  if (behaviourOf(config.algorithm)?.scaleCurriculum) {
    let previous = numScalesAt(config, 0)
    // The stages are equal in length; find each change by bisection rather than walking every step.
    for (let k = 0; k < K;) {
      let lo = k
      let hi = K - 1
      if (numScalesAt(config, hi) === previous) break
      while (lo + 1 < hi) {
        const mid = (lo + hi) >> 1
        if (numScalesAt(config, mid) === previous) lo = mid
        else hi = mid
      }
      ks.add(hi - 1)
      ks.add(hi)
      previous = numScalesAt(config, hi)
      k = hi
    }
  }
  const sorted = [...ks].filter((k) => k >= 0 && k < K).sort((a, b) => a - b)
  const out: TrainingSchedules = { numScales: [], mu: [], evalEma: [], lr: [] }
  for (const k of sorted) {
    out.numScales.push({ x: k, y: numScalesAt(config, k) })
    out.mu.push({ x: k, y: targetMuAt(config, k) })
    out.evalEma.push({ x: k, y: evalEmaAtStep(config, k) })
    out.lr.push({ x: k, y: learningRateAtStep(config, k) })
  }
  return out
}

const axisStyle = (theme: ChartTheme, title: string) => ({
  title: { display: true, text: title, color: theme.muted },
  ticks: { color: theme.muted, maxTicksLimit: 6 },
  grid: { color: theme.grid },
})

/** The sigma levels: x = level index (clean to noisy), y = sigma on a log axis. */
export function buildSigmaGridConfig(levels: SigmaLevels, theme: ChartTheme = LIGHT_THEME): ChartConfiguration {
  const data = levels.sigmas.map((s, i) => ({ x: i, y: s }))
  const config: ChartConfiguration<'line', XY[]> = {
    type: 'line',
    data: {
      datasets: [
        {
          label: `sigma levels (N = ${levels.numScales})`,
          data,
          borderColor: runColor(0),
          backgroundColor: runColor(0),
          borderWidth: 1,
          pointRadius: levels.sigmas.length > 200 ? 0 : 2,
        },
      ],
    },
    options: {
      parsing: false,
      animation: false,
      scales: {
        x: { type: 'linear', ...axisStyle(theme, 'level i') },
        y: { type: 'logarithmic', ...axisStyle(theme, 'sigma') },
      },
      plugins: { legend: { display: false } },
    },
  }
  return config as unknown as ChartConfiguration
}

export interface ScheduleChartOptions {
  label: string
  points: readonly XY[]
  color?: string
  stepped?: boolean
  logY?: boolean
  theme?: ChartTheme
}

/** One schedule over training steps (a small chart of the form). */
export function buildScheduleConfig(options: ScheduleChartOptions): ChartConfiguration {
  const theme = options.theme ?? LIGHT_THEME
  const color = options.color ?? runColor(0)
  const dataset: ChartDataset<'line', XY[]> = {
    label: options.label,
    data: options.points as XY[],
    borderColor: color,
    backgroundColor: color,
    borderWidth: 1.5,
    pointRadius: 0,
    stepped: options.stepped ? 'before' : false,
  }
  const config: ChartConfiguration<'line', XY[]> = {
    type: 'line',
    data: { datasets: [dataset] },
    options: {
      parsing: false,
      animation: false,
      scales: {
        x: { type: 'linear', ...axisStyle(theme, 'training step k') },
        y: { type: options.logY ? 'logarithmic' : 'linear', ...axisStyle(theme, options.label) },
      },
      plugins: { legend: { display: false } },
    },
  }
  return config as unknown as ChartConfiguration
}
