/**
 * The feature space image samples are measured in: the penultimate layer of a small classifier trained once
 * on the dataset (classifier.ts). The Fréchet distance fits Gaussians to these features; precision, recall,
 * density and coverage use the features themselves. Held-out features are computed once per evaluation;
 * each sample set then costs one feature pass.
 */
import type { Classifier } from './classifier'
import { featureStatistics, type FeatureStatistics } from './frechet'

export interface FeatureSpace {
  /** Columns of a feature row. */
  readonly dim: number
  /** Features of n flat images, row-major [n, dim]; read asynchronously (no sync read on webgpu, #18). */
  features(images: Float32Array, n: number): Promise<Float32Array>
  /** Fréchet statistics of n flat images (n * dim values). */
  statistics(images: Float32Array, n: number): Promise<FeatureStatistics>
}

export function classifierFeatureSpace(classifier: Classifier): FeatureSpace {
  const dim = classifier.spec.featureDim
  const features = (images: Float32Array, n: number): Promise<Float32Array> => classifier.features(images, n)
  return {
    dim,
    features,
    statistics: async (images, n) => featureStatistics(await features(images, n), n, dim),
  }
}
