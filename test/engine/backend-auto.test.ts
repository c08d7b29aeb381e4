/**
 * #18: `auto` takes webgpu on a hardware adapter only. A software adapter (lavapipe in CI, llvmpipe,
 * SwiftShader) is slower than wasm, so auto passes over it, saying why, and `--backend webgpu` still takes it.
 * The adapter is judged by what Dawn says of it; the last test asks the real Dawn of this machine.
 */
import { describe, expect, it } from 'vitest'
import { BACKEND_AUTO_ORDER } from '@shared/config/choices'
import { selectBackend } from '../../src-main/engine/backend'
import { adapterLabel, describeAdapter, probeAdapter } from '../../src-main/engine/backend-webgpu'

describe('#18 which adapters count as software', () => {
  it('lavapipe, llvmpipe and SwiftShader by name, a CPU architecture or a fallback adapter', () => {
    const lavapipe = describeAdapter({
      info: { vendor: 'mesa', architecture: '', device: 'llvmpipe (LLVM 15.0.6, 256 bits)', description: '' },
    })
    expect(lavapipe.software).toBe(true)
    expect(adapterLabel(lavapipe)).toBe('mesa llvmpipe (LLVM 15.0.6, 256 bits), software')
    expect(describeAdapter({ info: { vendor: 'google', description: 'SwiftShader Device (Subzero)' } }).software).toBe(
      true,
    )
    expect(describeAdapter({ info: { vendor: 'x', architecture: 'software' } }).software).toBe(true)
    expect(describeAdapter({ info: { vendor: 'x', isFallbackAdapter: true } }).software).toBe(true)
    expect(describeAdapter({ info: { vendor: 'x' }, isFallbackAdapter: true }).software).toBe(true)
  })

  it('a GPU is hardware, and its label names vendor and device', () => {
    const h200 = describeAdapter({ info: { vendor: 'nvidia', architecture: 'hopper', device: 'nvidia-h200' } })
    expect(h200.software).toBe(false)
    expect(adapterLabel(h200)).toBe('nvidia nvidia-h200, hardware')
    expect(adapterLabel(describeAdapter({}))).toBe('unknown adapter, hardware')
  })
})

describe('#18 auto on this machine', () => {
  it('takes webgpu only on a hardware adapter; passing over a software one, it says why', async () => {
    const probe = await probeAdapter()
    const info = await selectBackend('auto')
    if (typeof probe !== 'string' && !probe.software) {
      expect(info.name).toBe('webgpu')
      return
    }
    // Neither tfjs-node build is installed here or in CI, so auto goes on down its order to wasm.
    expect(info.name).toBe('wasm')
    expect(BACKEND_AUTO_ORDER.indexOf('webgpu')).toBeLessThan(BACKEND_AUTO_ORDER.indexOf('wasm'))
    const webgpuReason = info.skipped.find((s) => s.startsWith('webgpu'))
    if (typeof probe === 'string') expect(webgpuReason).toBe(probe)
    else
      expect(webgpuReason).toBe(
        `webgpu: only a software adapter (${adapterLabel(probe)}); ask for backend webgpu to use it`,
      )
  })
})
