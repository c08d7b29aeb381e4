/**
 * The training loop's reporter with no host behind it, for training outside a run (the make-teachers and
 * teacher-recipe scripts, tests of the loop): each step's report goes to `onStep`, nothing else anywhere.
 */
import type { JobContext } from './job-error'
import { RunReporter } from './run-reporter'
import type { StepReport } from './training-loop'

export class CallbackReporter extends RunReporter {
  constructor(
    runId: string,
    private readonly onStep: ((result: StepReport) => void) | undefined,
  ) {
    const alone: JobContext = {
      emit: () => {},
      control: { pauseRequested: false, cancelRequested: false, waitWhilePaused: async () => 'resume' },
      step: 0,
    }
    super(runId, alone)
  }

  override step(result: StepReport, wallMs?: number): void {
    super.step(result, wallMs)
    this.onStep?.(result)
  }
}
