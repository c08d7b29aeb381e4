import { describe, expect, it } from 'vitest'
import { clab } from '../helpers/cli'

describe('clab argument errors exit 2 and name the flag', () => {
  it.each([
    [['distill', '--dataset', 'moons', '--N', '1'], /--N: N must be at least 2 \(got 1\)/],
    [['distill', '--dataset', 'moons', '--ema', '1'], /--ema: .*\[0, 1\) \(got 1\)/],
    [['distill', '--dataset', 'moons', '--ema', '-0.1'], /--ema: .*\(got -0.1\)/],
    [['distill', '--dataset', 'moons', '--lr', '0'], /--lr: learning rate must be > 0 \(got 0\)/],
    [['distill', '--dataset', 'moons', '--batch', '2.5'], /--batch: batch size must be an integer \(got 2.5\)/],
    [['distill', '--dataset', 'nope'], /--dataset: unknown dataset.*\(got "nope"\)/],
    [['distill', '--dataset', 'moons', '--loss', 'l3'], /--loss: unknown loss.*\(got "l3"\)/],
    [['distill', '--dataset', 'moons', '--solver', 'rk4'], /--solver: unknown solver.*\(got "rk4"\)/],
    [['distill', '--dataset', 'moons', '--substeps', '0'], /--substeps: teacher substeps must be at least 1 \(got 0\)/],
    [
      ['distill', '--dataset', 'moons', '--top-share', '1'],
      /--top-share: top pair share must be in \[0, 0\.9\] \(got 1\)/,
    ],
    [
      ['distill', '--dataset', 'moons', '--sigma-max', '20'],
      /--sigma-max: sigmaMax must be at least 31\.6 \(alphaBar <= 0\.001: the one-step start must be noise\) \(got 20\)/,
    ],
    [
      ['distill', '--dataset', 'moons', '--sigma-max', '200'],
      /--sigma-max: sigmaMax 200 is above the teacher's largest sigma 157\.4 \(its last step\).*\(got 200\)/,
    ],
    [['distill', '--dataset', 'moons', '--sigma-max', 'top'], /--sigma-max <x\|last>' argument 'top' is invalid/],
    [
      ['distill', '--dataset', 'moons', '--algorithm', 'tutorial', '--sigma-max', '80'],
      /--sigma-max: the walkthrough's loop \(tutorial\) runs over all T teacher steps.*\(got 80\)/,
    ],
    [['distill', '--dataset', 'moons', '--weighting', 'snr'], /--weighting: unknown weighting.*\(got "snr"\)/],
    [['distill', '--dataset', 'moons', '--backend', 'tpu'], /--backend: unknown backend.*\(got "tpu"\)/],
    [['distill', '--dataset', 'moons', '--algorithm', 'gan'], /--algorithm: unknown algorithm.*\(got "gan"\)/],
    [['distill', '--dataset', 'moons', '--steps', 'many'], /--steps <n>' argument 'many' is invalid/],
    [['distill', '--dataset', 'moons', '--preset', 'fast'], /--preset: unknown preset "fast"/],
    [
      ['distill', '--dataset', 'moons', '--teacher', '/nonexistent/t.ckpt'],
      /--teacher: checkpoint \/nonexistent\/t.ckpt does not exist/,
    ],
    [['distill', '--dataset', 'moons', '--bogus'], /unknown option '--bogus'/],
    [['distill'], /required option '--dataset <name>' not specified/],
    [
      ['teacher', '--dataset', 'moons', '--T', '100'],
      /--T: teacher schedule: alphaBar at the last step is 0.364.*\(got 100\)/,
    ],
    [['teacher', '--dataset', 'moons', '--width', '0'], /--width: hidden width must be at least 1 \(got 0\)/],
  ])('clab %j', { concurrent: true }, async (args, message) => {
    const result = await clab(args as string[], { env: { CLAB_BACKEND_QUIET: '1' } })
    expect(result.stderr).toMatch(message)
    expect(result.code).toBe(2)
  })

  it('prints help with exit 0', async () => {
    const result = await clab(['distill', '--help'])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('--eval-ema <e>')
  })
})
