/**
 * The run.json of a valid exported distillation run, as `clab runs export` writes it: the import tests write
 * it into a folder, break one part and check the import names that part.
 */
import { parseDistillConfig } from '@shared/config/validate'

/** One entry of run.json's samples: the student's final samples at step 100 from noise seed 7. */
export function sampleEntry(path: string, nfe = 1, kind: 'csv2d' | 'png' = 'csv2d'): Record<string, unknown> {
  return { step: 100, nfe, kind, model: 'student', role: 'final', noiseSeed: 7, path }
}

/** A finished 100-step moons run on cpu with no samples or checkpoints, with `fields` over it. */
export function exportedRun(id: string, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    kind: 'distill',
    status: 'finished',
    config: parseDistillConfig({ dataset: 'moons', teacher: 'builtin', steps: 100, backend: 'cpu' }),
    appVersion: '0.0.0',
    parentRunId: null,
    parentKind: null,
    parentStep: null,
    backend: 'cpu',
    seed: 0,
    createdAt: 1_767_225_600_000,
    notes: 'fixture',
    tags: ['fixture'],
    samples: [],
    checkpoints: [],
    ...fields,
  }
}
