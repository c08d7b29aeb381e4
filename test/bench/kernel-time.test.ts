/**
 * #18 bench/kernel-time.ts says where a U-Net step's time goes on wasm: every kernel that does work of its
 * own is listed once by name with its calls and summed time, the composed conv-gradient kernels and views
 * are left out (their inner kernels are listed, so counting both would count twice), the per-name times add
 * up to the total, and that total fits inside the step's wall clock. Run on the real engine at batch 2.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { selectBackend } from '../../src-main/engine/backend'
import { isComposedKernel } from '../../src-main/engine/conv-kernels'
import { formatStepTime, unetKernelTime, type StepTime } from '../../bench/kernel-time'

afterAll(async () => {
  await selectBackend('cpu')
})

function checkStep(t: StepTime): void {
  expect(t.kernels.length).toBeGreaterThan(5)
  const names = t.kernels.map((k) => k.name)
  expect(new Set(names).size).toBe(names.length)
  // Forward convolutions are FusedConv2D; the input gradients, built from forward convolutions, are Conv2D;
  // the filter gradients of the stride-1 convs are im2col + BatchMatMul (conv-filter-grad.ts).
  expect(names).toContain('FusedConv2D')
  expect(names).toContain('Conv2D')
  expect(names).toContain('BatchMatMul')
  for (const name of names) {
    expect(isComposedKernel(name, 'wasm'), name).toBe(false)
    expect(['Reshape', 'Identity']).not.toContain(name)
  }
  for (const [i, k] of t.kernels.entries()) {
    expect(k.calls).toBeGreaterThan(0)
    expect(k.ms).toBeGreaterThanOrEqual(0)
    if (i > 0) expect(k.ms).toBeLessThanOrEqual((t.kernels[i - 1] as { ms: number }).ms)
  }
  expect(t.kernels.reduce((s, k) => s + k.ms, 0)).toBeCloseTo(t.kernelMs, 6)
  expect(t.kernelMs).toBeGreaterThan(0)
  expect(t.kernelMs).toBeLessThanOrEqual(t.stepMs)
}

describe('#18 kernel time of a U-Net step, by kernel name', () => {
  it('#18 teacher and CD Heun steps on wasm', async () => {
    const { teacher, cdHeun } = await unetKernelTime('wasm', 2, 2)
    checkStep(teacher)
    checkStep(cdHeun)
    // --cpu-steps: the least CPU time of the unprofiled steps, printed on the step's line.
    for (const t of [teacher, cdHeun]) expect(t.cpuMs).toBeGreaterThan(0)
    expect(formatStepTime('x', teacher, 1)[0]).toMatch(/; CPU time per unprofiled step \d+ ms \(least\)$/)
    expect(formatStepTime('x', { ...teacher, cpuMs: null }, 1)[0]).not.toMatch(/CPU time/)
    // The CD Heun step runs the network forward four times (two teacher calls, target, student): more
    // forward convolutions than the teacher step's one forward.
    const forward = (t: StepTime) => t.kernels.find((k) => k.name === 'FusedConv2D')?.calls ?? 0
    expect(forward(cdHeun)).toBe(4 * forward(teacher))
    const lines = formatStepTime('teacher step', teacher, 3)
    expect(lines).toHaveLength(4)
    expect(lines[1]).toMatch(/^ {2}\S+ +\d+ calls +[\d.]+ ms +[\d.]+ %$/)
  }, 120_000)
})
