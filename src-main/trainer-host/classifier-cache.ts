/**
 * The Fréchet feature space of an image dataset: the classifier cached in the dataset's folder, trained here
 * (on the training part, scored on the held-out part, on the job's backend) the first time a run needs it,
 * so every later run of the dataset is scored with the same features.
 */
import { Classifier, CLASSIFIER_TRAIN_DEFAULTS, classifierSpec, trainClassifier } from '../engine/classifier'
import { imageHeldOutCount } from '../engine/data-source'
import { classifierFeatureSpace, type FeatureSpace } from '../engine/feature-space'
import { tf } from '../engine/tf'
import type { ImageDatasetReader } from '../data/image-dataset'
import { classifierPath, ClassifierFileError, readClassifierFile, writeClassifierFile } from '../files/classifier-file'
import { JobError } from './job-error'

export interface CachedFeatures {
  space: FeatureSpace
  dispose(): void
}

/**
 * Null for 2D data (no reader) and for images the classifier cannot take (sides not divisible by 4), which
 * are then scored without it. `onProgress` hears of the training when there is no cache yet.
 */
export async function classifierFeatures(
  reader: ImageDatasetReader | null,
  onProgress: (done: number, total: number) => void,
): Promise<CachedFeatures | null> {
  if (!reader || reader.height % 4 !== 0 || reader.width % 4 !== 0) return null
  let cached
  try {
    cached = readClassifierFile(reader.dir)
  } catch (error) {
    if (error instanceof ClassifierFileError) throw new JobError('DATASET', error.message)
    throw error
  }
  const spec = classifierSpec({
    height: reader.height,
    width: reader.width,
    channels: reader.channels,
    classes: Math.max(2, reader.meta.classes.length),
  })
  if (!cached) {
    const heldOut = imageHeldOutCount(reader.count)
    const trainCount = reader.count - heldOut
    const part = (first: number, count: number) => ({
      count,
      batch: (indices: ArrayLike<number>) => reader.batch(Array.from(indices, (i) => first + i)),
    })
    const result = await trainClassifier(
      spec,
      { train: part(0, trainCount), test: part(trainCount, heldOut) },
      { seed: 0, ...CLASSIFIER_TRAIN_DEFAULTS },
      { onProgress },
    )
    const info = {
      spec,
      testAccuracy: result.testAccuracy,
      steps: result.steps,
      trainImages: trainCount,
      testImages: heldOut,
      backend: tf.getBackend(),
      msPerStep: result.msPerStep,
      createdAt: Date.now(),
    }
    writeClassifierFile(reader.dir, info, result.weights)
    cached = { info, weights: result.weights }
  }
  let classifier: Classifier
  try {
    classifier = Classifier.fromArrays(spec, cached.weights)
  } catch (error) {
    throw new JobError(
      'DATASET',
      `${classifierPath(reader.dir)}: ${(error as Error).message}; delete it to train the classifier again`,
    )
  }
  return { space: classifierFeatureSpace(classifier), dispose: () => classifier.dispose() }
}
