/**
 * Layer ops with hand-written gradients. tfjs differentiates `x @ W` with matMuls that set transposeA /
 * transposeB; on the wasm backend those are 10-17x slower than an explicit transpose followed by a plain
 * matMul, so the gradients here transpose explicitly (a CD step went from ~150 ms to ~20 ms).
 */
import { tf, type Tensor2D, type Tensor1D } from './tf'

/** y = x W + b. */
type GradFn = Parameters<typeof tf.customGrad>[0]

export const dense = tf.customGrad(((x: tf.Tensor, W: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([x, W])
  const value = tf.add(tf.matMul(x as Tensor2D, W as Tensor2D), b as Tensor1D)
  return {
    value,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs, Ws] = saved as [Tensor2D, Tensor2D]
      const dy2 = dy as Tensor2D
      return [tf.matMul(dy2, tf.transpose(Ws)), tf.matMul(tf.transpose(xs), dy2), tf.sum(dy2, 0)]
    },
  }
}) as unknown as GradFn) as (x: Tensor2D, W: Tensor2D, b: Tensor1D) => Tensor2D

/** SiLU(x) = x sigmoid(x), with its derivative s (1 + x (1 - s)) written out (one saved sigmoid). */
export const silu = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
  const s = tf.sigmoid(x)
  save([x, s])
  return {
    value: tf.mul(x, s),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs, ss] = saved as [tf.Tensor, tf.Tensor]
      return [tf.mul(dy, tf.mul(ss, tf.add(1, tf.mul(xs, tf.sub(1, ss)))))]
    },
  }
}) as unknown as GradFn) as (x: Tensor2D) => Tensor2D
