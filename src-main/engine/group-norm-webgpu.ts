/**
 * GroupNorm as six WGSL kernels on webgpu: statistics and the normalise-and-affine forward, group sums,
 * input gradient and the two affine gradients backward. Written in tfjs ops (unet.ts) it is ~21 kernel
 * launches per layer plus a transpose inside each of its six reductions (tfjs-webgpu moves reduced axes
 * last first), about half of a U-Net teacher step's launches once Adam runs flat (bench/kernel-profile.ts).
 * At these sizes a launch costs more than its arithmetic (shared/reference/gpu-webgpu.md: ~10 us of GPU time
 * per small Multiply on an H200, besides the CPU time to encode it).
 *
 * The same formulas as unet.ts's groupNorm, with the same epsilon; only the order of float additions in
 * the reductions differs (a tree in each workgroup), so webgpu agrees with cpu within float tolerance.
 * cpu and wasm keep the op form, bit for bit as before. The kernels are registered under their own names,
 * so tf.profile counts their launches like any other.
 */
import { tf } from './tf'
import { elementwise, inputsOf, reduction, runKernel, WG, type Program, type WebGpuBackendLike } from './webgpu-program'

/** x [B, H, W, C] (NHWC) as the kernels see it: each (b, g) group is HW x C/G values. */
interface Layout {
  shape: number[]
  B: number
  HW: number
  C: number
  G: number
}

function layoutOf(x: tf.TensorInfo, groups: number): Layout {
  const [B, H, W, C] = x.shape as [number, number, number, number]
  return { shape: [B, H, W, C], B, HW: H * W, C, G: groups }
}

const key = (name: string, l: Layout, extra = '') => `clab_gn_${name}_${l.B}_${l.HW}_${l.C}_${l.G}${extra}`

/** WGSL: the group's value at k (0 <= k < HW * C/G) of group (b, g), and a workgroup-wide sum. */
function groupSnippet(l: Layout): string {
  const cg = l.C / l.G
  return `
    const GN_B = ${l.B}; const GN_HW = ${l.HW}; const GN_C = ${l.C}; const GN_G = ${l.G}; const GN_CG = ${cg};
    const GN_N = ${l.HW * cg};
    fn at(b : i32, g : i32, k : i32) -> i32 { return (b * GN_HW + k / GN_CG) * GN_C + g * GN_CG + k % GN_CG; }
    var<workgroup> partial : array<f32, ${WG}>;
    fn workgroupSum(v : f32) -> f32 {
      let lid = i32(localId.x);
      partial[lid] = v;
      workgroupBarrier();
      for (var s = ${WG / 2}; s > 0; s = s >> 1u) {
        if (lid < s) { partial[lid] = partial[lid] + partial[lid + s]; }
        workgroupBarrier();
      }
      let total = partial[0];
      workgroupBarrier();
      return total;
    }`
}

/** Per group (b, g): [mean, 1 / sqrt(var + eps)], variance about the mean (two passes, as unet.ts). */
function statsProgram(l: Layout, epsilon: number): Program {
  const groups = l.B * l.G
  return reduction(
    key('stats', l),
    ['x'],
    2 * groups,
    groups,
    `${groupSnippet(l)}
    fn main(index : i32) {
      let grp = index / ${WG};
      let q = min(grp, ${groups - 1});
      let b = q / GN_G; let g = q % GN_G;
      var s = 0.0;
      for (var k = i32(localId.x); k < GN_N; k = k + ${WG}) { s = s + x[at(b, g, k)]; }
      let mean = workgroupSum(s) / f32(GN_N);
      var v = 0.0;
      for (var k = i32(localId.x); k < GN_N; k = k + ${WG}) { let d = x[at(b, g, k)] - mean; v = v + d * d; }
      let variance = workgroupSum(v) / f32(GN_N);
      if (localId.x == 0u && 2 * grp < uniforms.size) {
        result[2 * grp] = mean;
        result[2 * grp + 1] = inverseSqrt(variance + ${epsilon.toExponential()});
      }
    }`,
  )
}

/** WGSL: the (b, g) statistics offset of element `index` of x. */
const statsAt = (l: Layout) =>
  `let c = index % ${l.C}; let st = 2 * ((index / ${l.HW * l.C}) * ${l.G} + c / ${l.C / l.G});`

/** y = (x - mean) rstd gamma + beta. */
function applyProgram(l: Layout): Program {
  return elementwise(
    key('apply', l),
    ['x', 'stats', 'gamma', 'beta'],
    l.shape,
    `fn main(index : i32) {
      if (index < uniforms.size) {
        ${statsAt(l)}
        let xhat = (x[index] - stats[st]) * stats[st + 1];
        setOutputAtIndex(index, xhat * gamma[c] + beta[c]);
      }
    }`,
  )
}

/** Per group: [sum of g, sum of g xhat] with g = dy gamma. */
function groupSumsProgram(l: Layout): Program {
  const groups = l.B * l.G
  return reduction(
    key('gsums', l),
    ['dy', 'x', 'stats', 'gamma'],
    2 * groups,
    groups,
    `${groupSnippet(l)}
    fn main(index : i32) {
      let grp = index / ${WG};
      let q = min(grp, ${groups - 1});
      let b = q / GN_G; let g = q % GN_G;
      let mean = stats[2 * q]; let rstd = stats[2 * q + 1];
      var sg = 0.0; var sgx = 0.0;
      for (var k = i32(localId.x); k < GN_N; k = k + ${WG}) {
        let i = at(b, g, k);
        let gv = dy[i] * gamma[g * GN_CG + k % GN_CG];
        sg = sg + gv;
        sgx = sgx + gv * (x[i] - mean) * rstd;
      }
      let totalG = workgroupSum(sg);
      let totalGx = workgroupSum(sgx);
      if (localId.x == 0u && 2 * grp < uniforms.size) { result[2 * grp] = totalG; result[2 * grp + 1] = totalGx; }
    }`,
  )
}

/** dx = rstd (g - mean(g) - xhat mean(g xhat)). */
function inputGradProgram(l: Layout): Program {
  const n = (l.HW * l.C) / l.G
  return elementwise(
    key('dx', l),
    ['dy', 'x', 'stats', 'gamma', 'sums'],
    l.shape,
    `fn main(index : i32) {
      if (index < uniforms.size) {
        ${statsAt(l)}
        let rstd = stats[st + 1];
        let xhat = (x[index] - stats[st]) * rstd;
        let gv = dy[index] * gamma[c];
        setOutputAtIndex(index, rstd * (gv - sums[st] / ${n}.0 - xhat * (sums[st + 1] / ${n}.0)));
      }
    }`,
  )
}

/** Per channel: the sum over batch and positions of dy xhat (gamma's gradient) or of dy (beta's). */
function affineGradProgram(l: Layout, which: 'gamma' | 'beta'): Program {
  const term = which === 'gamma' ? 'dy[i] * (x[i] - stats[st]) * stats[st + 1]' : 'dy[i]'
  return reduction(
    key('affine', l, which),
    // A binding the shader does not read is an error in WebGPU: beta's gradient reads dy only.
    which === 'gamma' ? ['dy', 'x', 'stats'] : ['dy'],
    l.C,
    l.C,
    `${groupSnippet(l)}
    fn main(index : i32) {
      let grp = index / ${WG};
      let c = min(grp, GN_C - 1);
      var s = 0.0;
      for (var k = i32(localId.x); k < GN_B * GN_HW; k = k + ${WG}) {
        let i = k * GN_C + c;
        ${which === 'gamma' ? 'let st = 2 * ((k / GN_HW) * GN_G + c / GN_CG);' : ''}
        s = s + ${term};
      }
      let total = workgroupSum(s);
      if (localId.x == 0u && grp < uniforms.size) { result[grp] = total; }
    }`,
  )
}

type Run = (inputs: tf.NamedTensorInfoMap, backend: WebGpuBackendLike, l: Layout, epsilon: number) => tf.TensorInfo

const KERNEL = 'groupNorm (webgpu)'

const KERNELS: Record<string, Run> = {
  ClabGroupNormStats: (i, be, l, eps) => be.runWebGPUProgram(statsProgram(l, eps), inputsOf(KERNEL, i, 'x'), 'float32'),
  ClabGroupNormApply: (i, be, l) =>
    be.runWebGPUProgram(applyProgram(l), inputsOf(KERNEL, i, 'x', 'stats', 'gamma', 'beta'), 'float32'),
  ClabGroupNormGroupSums: (i, be, l) =>
    be.runWebGPUProgram(groupSumsProgram(l), inputsOf(KERNEL, i, 'dy', 'x', 'stats', 'gamma'), 'float32'),
  ClabGroupNormInputGrad: (i, be, l) =>
    be.runWebGPUProgram(inputGradProgram(l), inputsOf(KERNEL, i, 'dy', 'x', 'stats', 'gamma', 'sums'), 'float32'),
  ClabGroupNormGammaGrad: (i, be, l) =>
    be.runWebGPUProgram(affineGradProgram(l, 'gamma'), inputsOf(KERNEL, i, 'dy', 'x', 'stats'), 'float32'),
  ClabGroupNormBetaGrad: (i, be, l) =>
    be.runWebGPUProgram(affineGradProgram(l, 'beta'), inputsOf(KERNEL, i, 'dy'), 'float32'),
}

let registered = false

/** Registers the six kernels for the webgpu backend (by name: it need not be loaded yet). Idempotent. */
export function registerGroupNormKernels(): void {
  if (registered) return
  registered = true
  for (const [kernelName, run] of Object.entries(KERNELS)) {
    if (tf.getKernel(kernelName, 'webgpu')) continue
    tf.registerKernel({
      kernelName,
      backendName: 'webgpu',
      kernelFunc: ({ inputs, backend, attrs }) => {
        const { groups, epsilon } = attrs as unknown as { groups: number; epsilon: number }
        const anyInput = (inputs.x ?? inputs.dy) as tf.TensorInfo
        return run(inputs, backend as unknown as WebGpuBackendLike, layoutOf(anyInput, groups), epsilon)
      },
    })
  }
}

type GradFn = Parameters<typeof tf.customGrad>[0]
type GroupNormOp = (x: tf.Tensor4D, gamma: tf.Tensor, beta: tf.Tensor) => tf.Tensor4D

/** GroupNorm over `groups` with its gradient, as the kernels above; for the webgpu backend only. */
export function makeWebgpuGroupNorm(groups: number, epsilon: number): GroupNormOp {
  registerGroupNormKernels()
  const attrs = { groups, epsilon }
  return tf.customGrad(((x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D, save: tf.GradSaveFunc) => {
    if (x.shape[3] % groups !== 0)
      throw new Error(`groupNorm: ${x.shape[3]} channels do not split into ${groups} groups`)
    const stats = runKernel('ClabGroupNormStats', { x }, attrs)
    save([x, stats, gamma])
    return {
      value: runKernel('ClabGroupNormApply', { x, stats, gamma, beta }, attrs),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, st, gm] = saved as [tf.Tensor4D, tf.Tensor, tf.Tensor1D]
        const sums = runKernel('ClabGroupNormGroupSums', { dy, x: xs, stats: st, gamma: gm }, attrs)
        return [
          runKernel('ClabGroupNormInputGrad', { dy, x: xs, stats: st, gamma: gm, sums }, attrs),
          runKernel('ClabGroupNormGammaGrad', { dy, x: xs, stats: st }, attrs),
          runKernel('ClabGroupNormBetaGrad', { dy }, attrs),
        ]
      },
    }
  }) as unknown as GradFn) as unknown as GroupNormOp
}
