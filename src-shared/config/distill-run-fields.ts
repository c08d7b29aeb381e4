/**
 * The distillation fields that say how a run is carried out rather than what it learns (group 'run' from the
 * backend on): where it computes, and how often it evaluates, previews and checkpoints. The last entries of
 * DISTILL_FIELD_SPECS (distill-fields.ts), kept here so that table stays one readable file.
 */
import { BACKEND_FIELD } from './backend-field'
import type { FieldSpec } from './registry'

const interval = { min: 0, max: 1e8 }

export const DISTILL_RUN_FIELD_SPECS = [
  {
    ...BACKEND_FIELD,
    group: 'run',
    branchable: true,
    column: { title: 'Compute backend used (or requested)', width: '5.5rem' },
  },
  {
    key: 'evalEvery',
    label: 'Evaluation interval',
    what: 'evaluation interval',
    help: 'Steps between full evaluations during training; 0 evaluates only at the end.',
    kind: 'int',
    bounds: interval,
    group: 'run',
    branchable: true,
    resumable: true,
    cli: { flag: '--eval-every', arg: '<n>', help: 'evaluate every n steps (0: only at the end)' },
  },
  {
    key: 'sampleEvery',
    label: 'Preview interval',
    what: 'sample preview interval',
    help: 'Steps between live sample previews (the student at 1 and 2 steps from the fixed preview noise, with their sliced Wasserstein); 0 draws none.',
    kind: 'int',
    bounds: interval,
    group: 'run',
    branchable: true,
    resumable: true,
    legacy: { value: 250, by: 'schema' },
    cli: {
      flag: '--sample-every',
      arg: '<n>',
      help: 'live sample previews (NFE 1 and 2, fixed noise) every n steps (0: none)',
    },
  },
  {
    key: 'checkpointEvery',
    label: 'Checkpoint interval',
    what: 'checkpoint interval',
    help: 'Steps between checkpoints (resume and branch start from the last one); 0 keeps only the final one.',
    kind: 'int',
    bounds: interval,
    group: 'run',
    branchable: true,
    resumable: true,
    cli: { flag: '--checkpoint-every', arg: '<n>', help: 'checkpoint every n steps' },
  },
  {
    key: 'evalSamples',
    label: 'Evaluation samples',
    what: 'evaluation samples',
    help: 'Samples drawn per model and NFE for the quality metrics (SWD, energy, MMD).',
    kind: 'int',
    bounds: { min: 16, max: 100_000 },
    group: 'run',
    branchable: true,
    resumable: true,
    cli: { flag: '--eval-samples', arg: '<n>', help: 'samples per evaluation' },
  },
] as const satisfies readonly FieldSpec[]
