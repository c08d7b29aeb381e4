/**
 * The feature space the Fréchet distance of image samples is measured in: the penultimate layer of a small
 * classifier trained once on the dataset (classifier.ts). Statistics of the held-out images are computed
 * once per evaluation; each sample set then costs one feature pass and a Fréchet distance.
 */
import type { Classifier } from './classifier'
import { featureStatistics, type FeatureStatistics } from './frechet'

export interface FeatureSpace {
  /** Fréchet statistics of n flat images (n * dim values). */
  statistics(images: Float32Array, n: number): FeatureStatistics
}

export function classifierFeatureSpace(classifier: Classifier): FeatureSpace {
  return {
    statistics: (images, n) => featureStatistics(classifier.features(images, n), n, classifier.spec.featureDim),
  }
}
