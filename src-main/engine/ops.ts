/**
 * Layer ops with hand-written gradients, specialised per backend.
 *
 * wasm / native: tfjs differentiates `x @ W` with matMuls that set transposeA / transposeB; on the wasm
 * backend those fall off XNNPACK onto a naive loop, 10-17x slower than an explicit transpose followed by
 * a plain matMul, so the gradients here transpose explicitly (a CD step went from ~150 ms to ~20 ms). The
 * forward uses the fused matMul + bias kernel (one XNNPACK fully-connected call instead of two kernels).
 *
 * cpu (tfjs's pure-JS backend, the deterministic fallback): its BatchMatMul and elementwise kernels are
 * slow generic loops, so dense and SiLU run as plain JS loops on the tensors' buffers (perf/js-kernels).
 * Still sequential and deterministic.
 */
import { columnSums, gemm, siluBackward, siluForward, transpose } from './perf/js-kernels'
import { webgpuSiluBackward, webgpuSiluForward } from './silu-webgpu'
import { tf, type Tensor1D, type Tensor2D } from './tf'

type GradFn = Parameters<typeof tf.customGrad>[0]

function onCpuBackend(): boolean {
  return tf.getBackend() === 'cpu'
}

/**
 * A cpu-backend tensor's values, read the way the cpu backend's own kernels read them: these JS loops are
 * kernels in all but name, and go through no dataSync (which the engine keeps out of training steps).
 */
function f32(t: tf.Tensor): Float32Array {
  const backend = tf.backend() as unknown as { data: { get(id: object): { values: Float32Array } } }
  return backend.data.get(t.dataId).values
}

/**
 * y = x W + b. `inputGradient: false` is for a first layer, whose input is data: its gradient would be a
 * whole extra matMul that nothing reads, so zeros stand in for it.
 */
function makeDense(inputGradient: boolean): (x: Tensor2D, W: Tensor2D, b: Tensor1D) => Tensor2D {
  return tf.customGrad(((x: tf.Tensor, W: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
    save([x, W])
    const [M, K] = x.shape as [number, number]
    const N = W.shape[1] as number
    const cpu = onCpuBackend()
    const value = cpu
      ? tf.tensor2d(gemm(f32(x), f32(W), M, K, N, false, f32(b)), [M, N])
      : tf.fused.matMul({ a: x as Tensor2D, b: W as Tensor2D, bias: b })
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, Ws] = saved as [Tensor2D, Tensor2D]
        if (cpu) {
          const dyv = f32(dy)
          return [
            inputGradient
              ? tf.tensor2d(gemm(dyv, transpose(f32(Ws), K, N), M, N, K, false, null), [M, K])
              : tf.zerosLike(xs),
            tf.tensor2d(gemm(f32(xs), dyv, K, M, N, true, null), [K, N]),
            tf.tensor1d(columnSums(dyv, M, N)),
          ]
        }
        const dy2 = dy as Tensor2D
        return [
          inputGradient ? tf.matMul(dy2, tf.transpose(Ws)) : tf.zerosLike(xs),
          tf.matMul(tf.transpose(xs), dy2),
          // The bias gradient is the column sum of dy; as ones[1, M] dy it is one XNNPACK call, ~10x faster
          // on wasm than the Sum kernel's reduction.
          tf.reshape(tf.matMul(tf.ones([1, M]), dy2), [N]),
        ]
      },
    }
  }) as unknown as GradFn) as (x: Tensor2D, W: Tensor2D, b: Tensor1D) => Tensor2D
}

export const dense = makeDense(true)
/** dense for a layer whose input is data, never differentiated (see makeDense). */
export const denseOnData = makeDense(false)

/**
 * SiLU(x) = x s with s = sigmoid(x). Its derivative s (1 + x (1 - s)) is written as s (1 + x - y) with the
 * output y = x s saved too: four kernels in the backward pass instead of five.
 */
export const silu = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
  if (onCpuBackend()) {
    const [y, s] = siluForward(f32(x))
    const sT = tf.tensor(s, x.shape)
    save([x, sT])
    return {
      value: tf.tensor(y, x.shape),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, ss] = saved as [tf.Tensor, tf.Tensor]
        return [tf.tensor(siluBackward(f32(dy), f32(xs), f32(ss)), xs.shape)]
      },
    }
  }
  if (tf.getBackend() === 'webgpu') {
    // One kernel each way instead of two and four (silu-webgpu.ts): a launch costs more than this arithmetic.
    save([x])
    return {
      value: webgpuSiluForward(x),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [webgpuSiluBackward(dy, saved[0] as tf.Tensor)],
    }
  }
  const s = tf.sigmoid(x)
  const value = tf.mul(x, s)
  save([x, s, value])
  return {
    value,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs, ss, ys] = saved as [tf.Tensor, tf.Tensor, tf.Tensor]
      return [tf.mul(dy, tf.mul(ss, tf.add(tf.sub(xs, ys), 1)))]
    },
  }
}) as unknown as GradFn) as (x: Tensor2D) => Tensor2D
