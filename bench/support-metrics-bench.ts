/**
 * `npx tsx bench/support-metrics-bench.ts`: the cost of #17's support metrics beside the distances every
 * evaluation row already paid for, measured in one process (a ratio, so the machine's speed cancels out):
 * precision/recall/density/coverage of 4000 x 4000 2D points, against energy distance + MMD and the sliced
 * Wasserstein on the same sets; and 2000 x 2000 rows of 64 classifier features (image runs).
 */
import { energyAndMmd, slicedWasserstein } from '@shared/cd/metrics'
import { supportMetrics } from '@shared/cd/support-metrics'
import { sample2D, STREAM_HELD_OUT, STREAM_TRAIN } from '@shared/data/datasets2d'
import { Rng } from '@shared/rng'

function best(runs: number, fn: () => void): number {
  let min = Infinity
  for (let i = 0; i < runs; i++) {
    const start = performance.now()
    fn()
    min = Math.min(min, performance.now() - start)
  }
  return min
}

const real = sample2D('checkerboard', 4000, Rng.fromSeed(1, STREAM_TRAIN))
const fake = sample2D('checkerboard', 4000, Rng.fromSeed(1, STREAM_HELD_OUT))
const support = best(3, () => supportMetrics(real, fake, 2))
const pairwise = best(3, () => energyAndMmd({ points: fake, dim: 2 }, { points: real, dim: 2 }))
const swd = best(3, () => slicedWasserstein({ points: fake, dim: 2 }, { points: real, dim: 2 }))
const rng = Rng.fromSeed(2, STREAM_TRAIN)
const features = (n: number) => Float32Array.from({ length: n * 64 }, () => rng.normal())
const [a, b] = [features(2000), features(2000)]
const support64 = best(2, () => supportMetrics(a, b, 64))
console.log(
  JSON.stringify({
    support2dMs4000: Math.round(support),
    energyMmd2dMs4000: Math.round(pairwise),
    swd2dMs4000: Math.round(swd),
    supportOverEnergyMmd: Number((support / pairwise).toFixed(2)),
    support64dMs2000: Math.round(support64),
  }),
)
