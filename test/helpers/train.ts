/** Stepping a Distiller or TeacherTrainer in tests: their losses arrive a few steps late (loss-reader.ts). */
interface Steppable {
  trainStep(): Promise<Array<{ step: number; loss: number }>>
  settle(): Promise<Array<{ step: number; loss: number }>>
}

/** Takes `n` steps and returns their losses in step order (every one read). */
export async function stepLosses(trainee: Steppable, n: number): Promise<number[]> {
  const out: number[] = []
  for (let i = 0; i < n; i++) for (const r of await trainee.trainStep()) out.push(r.loss)
  for (const r of await trainee.settle()) out.push(r.loss)
  return out
}

/** One step's loss, read at once (the last of any still unread). */
export async function stepLoss(trainee: Steppable): Promise<number> {
  const loss = (await stepLosses(trainee, 1)).at(-1)
  if (loss === undefined) throw new Error('a step returned no loss')
  return loss
}
