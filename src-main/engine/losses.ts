/**
 * Per-example distances d(out, tgt) of ALGORITHM.md, and the weighted batch mean.
 *   l2:    mean over dimensions of the squared difference
 *   l1:    mean over dimensions of the absolute difference
 *   huber: pseudo-Huber on the per-example norm, sqrt(||out - tgt||^2 + c^2) - c   (iCT)
 */
import type { LossKind } from '@shared/config/fields'
import { tf, type Tensor1D, type Tensor2D } from './tf'

/** iCT's default c = 0.00054 sqrt(dim). */
export function defaultHuberC(dim: number): number {
  return 0.00054 * Math.sqrt(dim)
}

export function perExampleDistance(kind: LossKind, out: Tensor2D, tgt: Tensor2D, huberC: number): Tensor1D {
  const diff = tf.sub(out, tgt)
  switch (kind) {
    case 'l2':
      return tf.mean(tf.square(diff), 1)
    case 'l1':
      return tf.mean(tf.abs(diff), 1)
    case 'huber':
      return tf.sub(tf.sqrt(tf.add(tf.sum(tf.square(diff), 1), huberC * huberC)), huberC)
  }
}

/** mean_b(lambda_b d_b); `weights` null means lambda = 1. */
export function weightedMean(distances: Tensor1D, weights: Tensor1D | null): tf.Scalar {
  return tf.mean(weights ? tf.mul(distances, weights) : distances)
}
