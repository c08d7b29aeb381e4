import { isImageDatasetRef } from '../data/dataset-ref'
import { DATA_STD } from '../data/datasets2d'
import type { DistillConfig, TeacherConfig } from './schemas'

/**
 * The teacher of ALGORITHM.md (epsilon DDPM, T = 1000, linear betas 1e-4 -> 0.02, MLP 3 x 256 SiLU) with the
 * recipe issue 17 measured, so the teacher reproduces its data rather than a blur of it. Measured against
 * held-out data, 4000 samples, DDIM 100 steps, k-NN precision / recall (k = 5) and the share of samples
 * off the data's support (16 x 16 grid), wasm, `npx tsx scripts/teacher-recipe.ts --dataset <d> [--set
 * <json> | --from <ckpt>]` or `npm run make-teachers` (which prints them for each built-in teacher):
 *
 * The built-in teachers made with it (seed 0, wasm; `npm run make-teachers`, recipe per set in
 * src-shared/config/builtin-teachers.ts; the data-vs-data floor beside each, as precision / recall / off-support),
 * sampled as every teacher is since 2026-12-05 (DDIM-100 steps spread quadratically, the last hop to sigma 0:
 * samplerSteps in src-shared/cd/schedule.ts); in brackets the same weights on the uniform steps ending at
 * step 0 that were measured before:
 *   checkerboard 30000 steps  precision 0.991  recall 0.982  off-support 1.6 %   floor 0.999 / 0.998 / 0.1 %
 *                (uniform: 0.977, 0.982, 4.6 %; at step power 1: 0.960, 0.987, 6.7 %)
 *   moons        20000 steps  precision 0.981  recall 0.986  off-support 1.4 %   floor 0.994 / 0.993 / 0.4 %
 *                (uniform: 0.970, 0.985, 2.3 %; step power 1)
 *   8gaussians   30000 steps  precision 0.990  recall 0.977  off-support 0.6 %   floor 0.996 / 0.994 / 0.3 %
 *                (uniform: 0.984, 0.979, 1.1 %; at step power 1 and 12000 steps: 0.961, 0.973, 3.3 %)
 *   rings        30000 steps  precision 0.973  recall 0.964  off-support 1.1 %   floor 0.987 / 0.988 / 0.6 %
 *                (highest frequency 30, step power 1.5; at the defaults 50 and 2: 0.979, 0.942, 0.6 %, and on
 *                uniform steps 0.929, 0.961, 2.1 %)
 *   swissroll    20000 steps  precision 0.977  recall 0.988  off-support 1.4 %   floor 0.986 / 0.992 / 0.4 %
 *                (uniform: 0.968, 0.986, 2.3 %; step power 1)
 * The three made on 2026-12-05 took about 245 s each (7.8 ms per step, two at once on this 2-core machine).
 * The teacher files' quality.json: `npx tsx scripts/measure-teachers.ts`.
 * Before (no Fourier features, no EMA, batch 256, 8000 steps; issue 17): checkerboard precision 0.65,
 * recall 1.00, 31 % off-support: a filled square with the board's marginals, which SWD and energy miss.
 * What each choice is for:
 *   fourierFeatures 32, max frequency 50  sin and cos of each coordinate at 32 geometric frequencies 1 ... 50
 *                   (data std 0.5) beside x and the time embedding. Without them the MLP's spectral bias
 *                   (Tancik et al. 2020) smooths the density: the board's empty squares fill, the moons'
 *                   gap fills. Issue 17's PyTorch check of the same design: precision 0.57 without, 0.93
 *                   with at 8000 steps, 0.968 at 20000 (EMA, cosine; batch 256)
 *   ema 0.999       the teacher samples from (and ships) the weights' EMA, warmed up as the evaluation
 *                   EMA is (evalEmaDecayAt); the trained weights wander with the last batches
 *   batch 128       per sample much cheaper here than 256 (wasm, 3 x 256 with features: 13 ms against
 *                   37 ms per step, one process, same run), so more steps fit the 15 minutes a built-in
 *                   teacher may take; 30000 steps at 128 took 879 s for the checkerboard on this 2-core
 *                   machine shared with other work (~28 ms/step)
 *   steps 20000     the default for a teacher run; the built-in checkerboard and rings take 30000
 *                   (make-teachers.ts)
 *   warmupSteps 200, lr 1e-3 cosine  as before (now a field; older teachers read 200)
 *   stepPower 2     each example's noise step is floor(T u^p) instead of uniform: low-noise steps, where the
 *                   checkerboard's edges and the rings' widths are learned, come more often (a reweighting of
 *                   the same epsilon loss). Measured in the PyTorch port of this trainer (scripts/torch-
 *                   crosscheck/torch_teacher.py, 30000 steps, seed 0): checkerboard off-support 4.6 % (p 1),
 *                   3.6 % (1.5), 1.8 % (2), and at 20000 steps 6.9 %, 4.2 %, 3.7 %, 4.3 % (p 3); rings
 *                   precision 0.875 (p 1), 0.933 (1.5), 0.928 (2). On the engine (wasm, seed 0, 30000 steps):
 *                   8gaussians 0.984 / 0.979 / 1.1 % (p 1 at 12000 steps: 0.961 / 0.973 / 3.3 %)
 * Issue 17's goal (precision and recall >= 0.96, <= 3 % off-support) is met by all five. What held the
 * checkerboard (4.6 % off-support) and the rings (precision 0.93) back was the sampler, not the teachers: its
 * uniform steps and the noise it left at step 0 (see samplerSteps). Measured on that sampler and not taken:
 * the checkerboard at 60000 steps 5.1 %, batch 256 4.4 %; the rings at 60000 steps 0.928, batch 256 0.921,
 * power 3 0.922, lr 2e-3 0.923. Tried in the PyTorch port at power 1 and not taken: width 512 (rings 0.887
 * against 0.875; checkerboard no better), a residual 4th layer, the time embedding into every layer, Fourier
 * directions at the golden angle instead of the axes, highest frequency 100 or 200 (worse on rings), EMA
 * 0.9995, a larger first-layer initialisation. On the engine with quadratic steps (30000 steps, seed 0): the
 * checkerboard at highest frequency 30 0.990 / 0.987 / 4.5 %, at 80 0.989 / 0.981 / 3.6 %, against 0.985 /
 * 0.982 / 4.1 % at 50 (all three still ending at step 0); the rings, ending at sigma 0, at 20 0.981 / 0.945 /
 * 0.9 %, at 30 0.982 / 0.945 / 0.6 %, and at power 1 (50) 0.888 / 0.976 / 3.1 % on steps ending at step 0.
 */
export const TEACHER_DEFAULTS: TeacherConfig = {
  dataset: 'moons',
  model: 'mlp',
  numSteps: 1000,
  betaSchedule: 'linear',
  betaStart: 1e-4,
  betaEnd: 0.02,
  hiddenWidth: 256,
  hiddenDepth: 3,
  timeEmbeddingDim: 32,
  unetChannels: 32,
  unetMultipliers: [1, 2],
  unetResBlocks: 1,
  unetGroups: 8,
  fourierFeatures: 32,
  fourierMaxFrequency: 50,
  ema: 0.999,
  warmupSteps: 200,
  stepPower: 2,
  lr: 1e-3,
  batch: 128,
  steps: 20_000,
  seed: 0,
  backend: 'auto',
}

/**
 * Image teachers (the U-Net) keep the settings they had before issue 17's recipe, which was measured on the
 * 2D MLP only: no weight EMA, batch 256, 10000 steps (the Fourier features are the MLP's alone).
 */
export const IMAGE_TEACHER_DEFAULTS = {
  ema: 0,
  batch: 256,
  steps: 10_000,
  stepPower: 1,
} as const satisfies Partial<TeacherConfig>

/** The teacher defaults that differ by the kind of data `dataset` names (2D: none). */
export function teacherDataDefaults(dataset: unknown): Partial<TeacherConfig> {
  return typeof dataset === 'string' && isImageDatasetRef(dataset) ? IMAGE_TEACHER_DEFAULTS : {}
}

/**
 * Intermediate sigmas for multistep sampling of 2D data (data std 0.5) on a uniform grid: the second step
 * re-noises to sigma 0.8, further steps to 0.4, 0.2, ... Chosen on the built-in teachers; selectable per run.
 * Each snaps to the trained level nearest it (nearestLevel).
 */
export const DEFAULT_MULTISTEP_SIGMAS = [0.8, 0.4, 0.2, 0.1, 0.05, 0.025, 0.0125]

/**
 * The default preset's multistep sigmas, for its Karras grid (N 6 up to sigma 32: levels at sigma 0.01, 0.124,
 * 0.79, 3.41, 11.4, 31.9): the second step re-noises to 0.15, which snaps to the level at 0.124. That keeps
 * what the first step drew (the rings lie 0.26 apart) and lets the second step sharpen it; re-noising to
 * 0.79 draws the choice of ring again. Further steps halve it: 0.075 and 0.0375 snap to 0.124 as well, the
 * rest to sigma_min, where the student is the identity (so NFE 8 draws what NFE 4 does).
 */
export const KARRAS_MULTISTEP_SIGMAS = [0.15, 0.075, 0.0375, 0.01875, 0.009375, 0.0046875, 0.00234375]

/**
 * The default preset for cd on 2D data, chosen by measurement: 3000 CD steps from the built-in teacher,
 * judged against held-out data (issue 17): k-NN precision and recall (k = 5), the share of samples off the
 * data's support, and the one-step sliced Wasserstein over the teacher's 100-step figure (issue 2's goal,
 * 2.5x), 4000 samples, wasm, `npm run quality -- --dataset <name> [--set <json>]`.
 *
 * Issue 17's goal, 3000 steps, seeds 0 and 1: one-step precision >= 0.85 and recall >= 0.90, two-step
 * precision >= 0.90, one-step SWD within 2.5x of the teacher's. This preset (2026-12-05 and -06, wasm,
 * `npm run quality -- --dataset <set> --seeds <s> --pictures DIR`), one step precision / recall /
 * off-support, SWD ratio; two steps precision; in brackets the same for the preset before the replay (share
 * 0.5, no replay; engine, or "port": the PyTorch port of the same loop, `scripts/torch-crosscheck/torch_cd.py
 * --preset ours`, scored with the product's metric, within 0.007 of the engine on moons, the checkerboard and
 * the rings on this preset), then the one-step precision of the one before that (next-level):
 *   moons         seed 0  0.949 / 0.996 /  4.4 %, 1.14x; two steps 0.967 (0.924, 1.26x, 0.966; 0.900)
 *                 seed 1  0.945 / 0.998 /  5.0 %, 1.07x; two steps 0.968 (-; 0.901)
 *   checkerboard  seed 0  0.929 / 0.997 / 12.1 %, 1.09x; two steps 0.978 (0.913, 1.21x, 0.975; 0.874)
 *                 seed 1  0.928 / 0.995 / 12.1 %, 1.14x; two steps 0.976 (-; 0.876)
 *   8gaussians    seed 0  0.932 / 0.999 /  5.9 %, 1.10x; two steps 0.975 (port 0.919, 1.24x, 0.978; 0.878)
 *                 seed 1  0.929 / 0.998 /  6.2 %, 1.13x; two steps 0.971 (-; 0.878)
 *   rings         seed 0  0.856 / 0.994 /  5.8 %, 1.35x; two steps 0.922 (0.789, 1.37x, 0.923; 0.663)
 *                 seed 1  0.855 / 0.995 /  5.6 %, 1.21x; two steps 0.916 (0.790, 1.24x, 0.926; 0.654)
 *   swissroll     seed 0  0.934 / 0.995 /  4.9 %, 1.06x; two steps 0.951 (port 0.921, 1.09x, 0.958; 0.886)
 *                 seed 1  0.938 / 0.996 /  4.8 %, 1.09x; two steps 0.952 (-; 0.885)
 * With next-level, seed 1 was within 0.01 of
 * seed 0 on every set: moons 0.901, checkerboard 0.876, 8gaussians 0.878, swissroll 0.885 one-step; on the
 * uniform grid before that (the second step to the level at 0.58) one / two steps: moons 0.885 / 0.931,
 * checkerboard 0.863 / 0.934, 8gaussians 0.857 / 0.924, swissroll 0.857 / 0.923, rings 0.654 / 0.817.
 * Karras spacing (rho 7) puts the N 6 levels at sigma 0.01, 0.124, 0.79, 3.41, 11.4, 31.9 against the uniform
 * grid's 0.01, 0.58, 1.44, 3.37, 9.17, 31.9. The gain in two steps is the level at 0.124: re-noising there
 * keeps what the first step drew (the rings lie 0.26 apart, the 0.58 of before drew the ring again), and the
 * second step only sharpens it. Re-noising to the Karras grid's 0.79 instead gave the rings 0.833 (PyTorch
 * port). The one-step gain is the grid's alone (rings 0.654 -> 0.663; with next-level their one step stayed
 * a haze around a sharp innermost ring). The rings are the student's limit, not the teacher's: at lr 5e-3 on their teacher before (precision
 * 0.929) and on the re-made one (0.973) the one-step precision was the same (0.620 and 0.623 for seed 0). The
 * SWD ratios are over the teacher's 100-step figure on the sampler of 2026-12-05 (quadratic steps, the last
 * hop to sigma 0: samplerSteps), whose samples are sharper than before; the students' own figures do not
 * depend on it. (The same table is in the README and issue 17's closing note.)
 * At 10000 steps on this preset (`npm run quality -- --dataset <set> --seeds 0 --at 1000,3000,6000,10000`, its
 * cosine over the 10000 steps; seed 0, 2026-12-06), one step, SWD ratio, two steps: moons 0.952 / 0.995 /
 * 4.2 %, 1.09x, 0.977; checkerboard 0.943 / 0.997 / 10.7 %, 1.12x, 0.982; 8gaussians 0.944 / 0.996 / 4.6 %, 1.04x,
 * 0.983; rings 0.807 / 0.992 / 7.5 %, 1.17x, 0.942 (below the one-step goal, met at 3000 steps);
 * swissroll 0.951 / 0.994 / 3.6 %, 0.97x, 0.966. The README has the table.
 * At 10000 steps (`--set '{"steps":10000}'`, seed 0) on the uniform grid with next-level before (the rings on
 * the Karras grid: 0.814 / 0.993 / 6.7 %, 1.57x, two steps 0.943), one step, SWD ratio, two steps: moons 0.916 /
 * 0.997 / 6.7 %, 1.41x, 0.934; checkerboard 0.899 / 0.993 / 17.6 %, 1.31x, 0.941; 8gaussians 0.908 / 0.996 / 8.3 %, 1.63x, 0.949; rings
 * 0.807 / 0.991 / 8.0 %, 1.51x, 0.869 (seed 1 0.808, 0.875); swissroll 0.903 / 0.998 / 7.0 %, 1.31x, 0.940.
 * Tried for the rings at 3000 steps in the PyTorch port on the uniform grid (seed 0; the preset 0.628 / 0.807
 * there) and not taken: lr 1e-2 0.659 / 0.824, N 10 0.576 / 0.778, the x0head parameterisation 0.539 /
 * 0.840, batch 2048 0.689 / 0.838; a student wider than the teacher (256 more units per layer, added with
 * zero weights out so it starts as the teacher) 0.629 / 0.732; random-direction Fourier features of x added
 * the same way (64 directions at scale 8: 0.684 / 0.806; 256 at 8: 0.604 / 0.766; 128 at 16: 0.650 /
 * 0.810). So neither width nor radial features are what the rings' one step lacks.
 * What changed from the preset before (sigmaMax 80, batch 256, lr 2e-3), measured on moons seed 0 in the
 * PyTorch port of the same loop (`npm run crosscheck:torch`; its figures match the engine's: 0.505 against
 * 0.522 one-step precision for that preset), one-step precision after 3000 steps:
 *   sigmaMax 80 -> 31.6      0.505 -> 0.746 (engine at 32: 0.522 -> 0.760; SWD 3.62x -> 1.83x). The one-step
 *                            sample is x_T - sigma eps(x_T): the student's epsilon error moves it sigma times
 *                            as far, so the least top the rule allows (alphaBar <= 1e-3, sigma 31.6, as for a
 *                            teacher's last step) draws the sharpest one-step samples. The pictures: at 80 a
 *                            haze around both moons, at 31.6 a thinner one
 *   batch 256 -> 512 -> 1024  0.746 -> 0.814 -> 0.850 (two steps 0.922, 0.931): more examples per step of
 *                            the same 3000; 10000 steps at batch 256 reach 0.877, so it is the amount of
 *                            training, not the batch as such. About 3x the time per step of batch 256
 *   lr 2e-3 -> 3e-3 -> 5e-3 -> 7e-3  at 1024: 0.850 -> 0.870 (at 256: 0.746 -> 0.770; 1e-3: 0.690); 7e-3 on
 *                            the engine: the table above. 5e-3 on the
 *                            teachers of 2026-12-05 (step sampling power), same port, one / two steps:
 *                            swissroll 0.822 / 0.896 -> 0.850 / 0.907, 8gaussians (engine at 3e-3: 0.835 /
 *                            0.904) -> 0.847 / 0.924. The two-step sample re-noises to the trained level
 *                            nearest 0.8 (sigma 0.58); the next one up (1.44) gave 0.893 and 0.888
 *   not taken: N 4 (0.749, two steps 0.518: too coarse a grid for the second step) and N 8 (0.749, two
 *   steps 0.809) against N 6's 0.746 / 0.748; top pair share 0.75 0.714; Adam beta2 0.99; lambda = 1;
 *   3 teacher substeps per hop at 1024 (0.804: the target's ODE error shows); a frozen teacher denoiser plus
 *   a learned x-space correction at the top (0.619)
 * The `quick` preset keeps batch 256 and lr 2e-3 at sigmaMax 32 (a third of the time per step): moons
 * 0.805 / 1.000 / 16.6 %, 1.66x, two steps 0.930 (PyTorch port, with the top share against sigma_min); with
 * the target network as the top share's target 0.750 / 0.998 / 20.4 %, 2.00x, 0.929 (engine), and on the
 * uniform grid before that 0.760 / 1.000 / 20.5 %, 1.83x, 0.912.
 *
 * The record of the measurements before issue 17 (SWD ratios over the blurred teachers of then):
 * Measured for this preset (2026-11-26): moons 1.32x (seed 1: 1.35x), checkerboard 1.17x, swissroll 1.29x,
 * rings 1.10x, 8gaussians 2.21x (seed 1: 2.25x); per-axis spread within 1.04 of the data's. Before sigmaMax (the same
 * preset up to the teacher's last step, sigma 157): moons 2.00x (seed 1: 2.05x), checkerboard 1.29x,
 * swissroll 1.53x, rings 1.26x, 8gaussians 2.96x (seed 1: 2.96x). At N 8 with 4 substeps (the default
 * before that, same share, sigma 157): moons 2.14x, checkerboard 1.37x, swissroll 1.60x, rings 1.14x,
 * 8gaussians 3.16x (seed 1: 3.08x; 2.76x at batch 1024); N 5 with 8 substeps: 8gaussians 2.96x.
 * At batch 1024 8gaussians reached 1.98x (2.60x at sigma 157).
 * The earlier default (N 18, one Heun step per hop, lambda = 1, lr 1e-3; the cd-single-step preset) gave
 * moons 4.29x, 8gaussians 6.71x, checkerboard 2.93x. What each choice beat:
 *   sigmaMax 80     the grid's top level and the one-step start, x_T = 80 z (the CM paper's sigma_max, for
 *                   data of std 0.5 as here) instead of the teacher's last step, sigma 157. At the top the
 *                   student's output is x - sigma eps(x), so any wobble of the shared weights moves the
 *                   one-step sample sigma times as far: on 8gaussians the online weights' one-step SWD was
 *                   0.096 at step 2000 against the evaluation EMA's 0.066, and a constant lr, which helped the
 *                   2- to 8-step samples (NFE 8 0.0299 against 0.0326), left the one-step at 4.18x (online
 *                   0.27). The data's share of x_T at sigma 80 is 0.5 / 80 (alphaBar 1.6e-4, below
 *                   ALGORITHM.md's 1e-3), so x_T is still noise. 8gaussians: sigma 157 2.96x, 80.3 2.21x
 *                   (seed 1: 2.25x), 31.6 (the least allowed, alphaBar 1e-3) 1.71x, multistep improving with
 *                   it (NFE 8 0.0326, 0.0263, 0.0222). Sigma 157 -> 80: moons 2.00x -> 1.32x, checkerboard
 *                   1.29x -> 1.17x, swissroll 1.53x -> 1.29x, rings 1.26x -> 1.10x. 80 is taken as the
 *                   paper's value, with the goal met on every dataset; 31.6 sits on the rule's edge. Tried on
 *                   the way, on 8gaussians at sigma 157: a separate network for the top level 3.84x; an
 *                   x-space head for it on the shared trunk (x0 = D_teacher + sigmaData h W) 5.94x; top
 *                   weight x0.25 3.17x; Adam epsilon 1e-5 2.98x; sigmaData 0.25 2.97x
 *   teacherSubsteps 6  the teacher's Heun step over each hop taken in 6 steps on its own steps in between, so
 *                   the target is a close solution of the teacher's ODE even on a coarse grid. Without it the
 *                   best found (N 14, inverse-gap, lr 2e-3) gave moons 3.18x, 8gaussians 4.80x; with it
 *                   moons 2.40x (N 8, 4 substeps) or 2.62x (N 10, 3), 8gaussians 3.65x (N 8, 4) or 3.50x
 *                   (N 6, 6; N 4 with 10 was 6.96x at step 1000 and stopped). 2- to 8-step samples improve
 *                   too: moons 0.029 / 0.029 / 0.026 at NFE 2 / 4 / 8, against 0.050 / 0.056 before.
 *                   Costs 12 teacher calls per step instead of 2, on the teacher's thread (see the bench)
 *   topPairShare 0.5  (before the replay below) half of each batch trains the top pair (t_{N-1}, t_N),
 *                   the rest draws n uniformly as before (the top pair included). The one-step sample is that pair's map alone, and
 *                   `npm run quality -- --from-levels` showed it carrying most of the error: on 8gaussians,
 *                   without the share, 3.65x from sigma_max but 2.28x after the teacher's ODE over the top hop,
 *                   2.03x after two. Drawing n from a non-uniform p(n) is a reweighting lambda(t_n) ~ p(n) of
 *                   the same objective (iCT draws n lognormally) with more examples, so less gradient noise,
 *                   where the one-step map needs them. Without -> with: moons 2.40x -> 2.14x, 8gaussians
 *                   3.65x -> 3.16x, rings 1.32x -> 1.14x, checkerboard 1.35x -> 1.37x, swissroll 1.61x -> 1.60x;
 *                   8gaussians with a share of 0.25: 3.27x. Training the top pair against the level two
 *                   hops down (the same substeps): 3.04x, within the seeds' spread, so not taken.
 *                   Weighting the top pair 4x instead of drawing it more often: 8gaussians 3.86x. Costs
 *                   nothing: the same examples per step
 *   topPairTarget sigma-min  (2026-12-05) the top share's target is the teacher's ODE solved down all five
 *                   hops to sigma_min (6 Heun substeps each, the hops' own path), where f is the identity,
 *                   instead of the target network at 11.4 (ALGORITHM.md's next level, still being learned
 *                   from the levels below it). The one-step map then learns the teacher's trajectory itself,
 *                   not a target that needs the four hops below it right first. Rings seed 0: one step 0.663
 *                   -> 0.789 (engine; PyTorch port 0.655 -> 0.800), two steps unchanged (0.925 -> 0.923). The
 *                   measurement that led here (port, rings, 3000 steps): the student regressed on the
 *                   teacher's 100-step DDIM from sigma_max alone (all the batch at the top) reached 0.866, so
 *                   the network can draw the rings in one step and the bootstrapped target was what slowed it.
 *                   The solve's path matters: 30 Heun steps evenly spaced in the teacher's step index gave
 *                   0.655 (too coarse near the data); spaced as the grid (this) 0.800, or as step^1.5 0.812.
 *                   Not taken: a top share of 0.75 (0.817, two steps 0.912), the top share's weight x8 (0.622
 *                   at step 1000, two steps 0.476), lambda = 1 (0.791, two steps 0.493). Costs 30 Heun steps
 *                   of the teacher for each top-share example instead of 6 (the teacher's thread): 438
 *                   ms per step on wasm here against 151 with next-level (moons, measured alone), so per
 *                   minute it is about even with next-level run 2.9x as many steps (10000 steps of that:
 *                   moons 0.916, rings 0.814); per step, issue 17's yardstick, it is ahead
 *   topPairShare 0.25, topPairReplay 8  (2026-12-05) a quarter of each batch (256 examples) is solved down to
 *                   sigma_min, and each step also trains the top pair on 2048 of the last 256 steps' solves
 *                   (the reservoir: 65536 rows). The one-step map wanted more examples at the top: in the
 *                   port on the rings, a batch of 512 at share 0.5 gave 0.738, 1024 0.800 and 2048 0.834
 *                   (about twice the time per step), all top, no other level, 0.866. The solves are the
 *                   teacher's, not a network's that is still moving, so they can be replayed; 1024 then 2048
 *                   replayed rows gave 0.831 then 0.849 (port). With the share at 0.25 the step solves half
 *                   as many rows, so it costs less than share 0.5 without replay (0.9x its time per step on
 *                   wasm, measured side by side), though the student sees three times the rows. Rings seed 0,
 *                   share 0.5 no replay -> this: port 0.800 -> 0.853 (two steps 0.924 -> 0.927); engine below.
 *   N 6             fewer levels to make consistent; with exact hops the grid no longer limits (see below).
 *                   With the top pair share, N 6 / 6 substeps beat N 8 / 4 on four datasets of five (above).
 *                   At N 6 on 8gaussians: share 0.65 2.96x (= 0.5), lr 3e-3 2.87x (within the seeds' spread;
 *                   not measured on the other datasets, so not taken)
 *   weighting       inverse-gap (lambda = 1 / (sigma_hi - sigma_lo), iCT's) departs from ALGORITHM.md's
 *                   lambda = 1; the CM paper's objective allows any positive lambda(t_n). With lambda = 1 the
 *                   same preset gave moons 3.66x, its 2- to 8-step samples 2.3-3x worse: the low levels, whose
 *                   losses are orders of magnitude smaller, stay untrained (where-the-error-is below)
 *   lambda powers   1 / gap^0.5 and 1 / gap^1.5 (N 14, lr 2e-3, one step) gave moons 4.25x and 3.79x, 1/gap 3.18x
 *   lr 2e-3 cosine  100 warm-up steps; 3e-3 gave 8gaussians 3.69x, 1e-3 4.09x. With lambda = 1, 1e-3 had
 *                   beaten 5e-4 and 1e-4, and 2e-3 was no better
 *   targetEma 0     mu = 0.95 gave 8gaussians 7.33x at step 1000 against 6.02x (stopped there)
 *   evalEma 0.999   with evalEmaDecayAt's warm-up, which keeps the decay below 0.999 until step 8990: at
 *                   3000 steps 0.9995 is the same run. The online weights are far worse until the learning
 *                   rate has decayed (8gaussians one-step 4.46 at step 1000, 0.186 at 2000, 0.073 at 3000)
 *   batch 256       at sigma_max 80, 1024 gives 8gaussians 1.98x (256: 2.21x) at about 3x the time per step.
 *                   At sigma 157, with the top pair share, 1024 gave 8gaussians 2.76x and 512 2.91x, at
 *                   about 3x and 1.7x the time per step here (before it: 2.85x and 3.24x). Even at 1024
 *                   the error was spread over the levels (--from-levels: 2.76x from sigma_max, 2.30x after
 *                   the top hop, 1.96x from sigma 1.15, 1.58x from 0.5, against the teacher's 0.97x)
 *   (2026-11-26, 4000 samples, before substeps; kept for the record)
 *   where the error is  teacher Heun for the top j hops, then the student in one step, lambda = 1: 4.29x from
 *                   sigma_max, 3.5x from sigma 31, 3.1x from sigma 0.4, 2.3x from 0.2 (inverse-gap: 2.3x from
 *                   sigma 1.3, the top hops add the rest)
 *   grid ceiling    the teacher's own ODE over an N-level grid in one Heun step per hop (`npm run quality --
 *                   --ceiling 8,14,18`): within 2.5x for N >= 14 only; with substeps the hop is exact
 *   N curriculum    doubling N over the run as iCT does (to 17 from 3 or 5) diverges: coarse grids with mu 0
 *   huber c         pseudo-Huber with c 0.01 / 0.05 gave 4.33x / 4.62x (l2 4.29x)
 *   more steps      12000 steps of the earlier default reach moons 3.6x only
 *   stratified n    the same number of examples per level in each batch: no better
 *   cross-check     `npm run crosscheck:torch`: the PyTorch reference's loop on this teacher and these batches
 *                   gives the earlier default 4.30x (moons), 6.73x (8gaussians), 2.77x (checkerboard), as the
 *                   engine did; with the reference's own settings (DDIM, lr 1e-4, mu 0.95) 7.71x, 10.11x, 4.92x.
 *                   This preset, sigma_max 80 included, in the same loop: moons 1.32x, 8gaussians 2.19x
 *                   (engine 1.32x, 2.21x); at N 8 / 4 with the share and sigma 157: moons 2.10x, 8gaussians
 *                   3.10x (engine 2.14x, 3.16x)
 */
export const DISTILL_DEFAULTS: DistillConfig = {
  dataset: 'moons',
  teacher: 'builtin',
  algorithm: 'cd',
  numScales: 6,
  grid: 'karras',
  targetEma: 0,
  evalEma: 0.999,
  lr: 7e-3,
  lrSchedule: 'cosine',
  warmupSteps: 100,
  batch: 1024,
  steps: 3000,
  loss: 'l2',
  weighting: 'inverse-gap',
  huberC: null,
  solver: 'heun',
  teacherSubsteps: 6,
  topPairShare: 0.25,
  topPairTarget: 'sigma-min',
  topPairReplay: 8,
  sigmaMax: 32,
  sigmaData: DATA_STD,
  seed: 0,
  backend: 'auto',
  evalEvery: 0,
  sampleEvery: 250,
  checkpointEvery: 1000,
  evalSamples: 4000,
  // Seven intermediate sigmas: the final evaluation reports NFE 1, 2, 4 and 8 (quality-vs-NFE curves).
  multistepSigmas: KARRAS_MULTISTEP_SIGMAS,
}

/**
 * Where the measurement above does not apply, unset fields take the CD paper's single Heun step over 18
 * levels, lambda = 1, lr 1e-3 and batch 256 (the default before it), on ALGORITHM.md's uniform grid with
 * the second step re-noising to 0.8 (DEFAULT_MULTISTEP_SIGMAS): on image data, where it was not
 * measured and every teacher substep is another U-Net call (and a batch of 1024 images would take minutes
 * per step on a CPU), and for the algorithms other than cd (ct and ict call no teacher, and need more levels
 * than a teacher solved in substeps does).
 */
export const SINGLE_STEP_DEFAULTS = {
  numScales: 18,
  grid: 'uniform',
  multistepSigmas: DEFAULT_MULTISTEP_SIGMAS,
  batch: 256,
  teacherSubsteps: 1,
  topPairShare: 0,
  topPairTarget: 'next-level',
  topPairReplay: 0,
  sigmaMax: null,
  weighting: 'uniform',
  lr: 1e-3,
} as const satisfies Partial<DistillConfig>

/** The defaults that differ by the kind of data `dataset` names (2D: none; DISTILL_DEFAULTS is for 2D). */
export function dataDefaults(dataset: unknown): Partial<DistillConfig> {
  return typeof dataset === 'string' && isImageDatasetRef(dataset) ? SINGLE_STEP_DEFAULTS : {}
}
