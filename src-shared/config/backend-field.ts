/** The backend field, the same for teacher and distillation runs; each form adds where it shows it. */
import { BACKEND_AUTO_ORDER, BACKENDS } from './choices'
import type { FieldSpec } from './registry'

export const BACKEND_FIELD = {
  key: 'backend',
  label: 'Backend',
  what: 'backend',
  help:
    `tfjs backend: auto tries ${BACKEND_AUTO_ORDER.join(', ')} in turn, and the first that starts runs; ` +
    'auto takes webgpu on a hardware adapter only, and backend webgpu takes a software one (lavapipe) too.',
  kind: 'select',
  options: BACKENDS,
  // Moving to another backend changes where the arithmetic runs, not what the weights mean.
  resumable: true,
  cli: { flag: '--backend', arg: '<b>', help: `compute backend: ${BACKENDS.join('|')}` },
} as const satisfies FieldSpec<'backend'>
