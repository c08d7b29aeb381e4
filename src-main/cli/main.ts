/**
 * `clab`: the Consistency Lab command line. Exit codes: 0 success, 1 failed run, 2 invalid arguments
 * (the message names the flag).
 */
import { Command, CommanderError } from 'commander'
import { ALGORITHMS, BACKENDS, BETA_SCHEDULES, GRIDS, LOSSES, LR_SCHEDULES, SOLVERS } from '@shared/config/fields'
import { DATASETS_2D } from '@shared/data/datasets2d'
import { PRESET_NAMES } from '@shared/config/presets'
import { EXIT_FAILED, EXIT_USAGE, numberArg, numberListArg, UsageError } from './args'
import { distillCommand } from './distill-command'
import { teacherCommand } from './teacher-command'

function list(values: readonly string[]): string {
  return values.join('|')
}

export function buildProgram(run: (code: Promise<number>) => void): Command {
  const program = new Command('clab')
    .description('Consistency Lab: train diffusion teachers, distill consistency models, measure them')
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')

  program
    .command('teacher')
    .description('train an epsilon-prediction DDPM teacher on a 2D dataset')
    .requiredOption('--dataset <name>', `dataset: ${list(DATASETS_2D)}`)
    .option('--steps <n>', 'training steps', numberArg)
    .option('--seed <s>', 'random seed', numberArg)
    .option('--backend <b>', `compute backend: ${list(BACKENDS)}`)
    .option('--out <dir>', 'output folder (default teacher-<dataset>-seed<s>)')
    .option('--T <n>', 'number of diffusion steps T (default 1000)', numberArg)
    .option('--beta-schedule <s>', `beta schedule: ${list(BETA_SCHEDULES)}`)
    .option('--beta-start <x>', 'first beta (default 1e-4)', numberArg)
    .option('--beta-end <x>', 'last beta (default 0.02)', numberArg)
    .option('--width <n>', 'hidden width (default 256)', numberArg)
    .option('--depth <n>', 'hidden layers (default 3)', numberArg)
    .option('--time-embedding <n>', 'sinusoidal time embedding size (default 32)', numberArg)
    .option('--lr <x>', 'Adam learning rate (default 1e-3, cosine decay)', numberArg)
    .option('--batch <n>', 'batch size (default 256)', numberArg)
    .option('--json', 'print a JSON summary as the last line of stdout')
    .action((options) => run(teacherCommand(options)))

  program
    .command('distill')
    .description('distill a consistency model from a teacher (or train one with ct / ict)')
    .requiredOption('--dataset <name>', `dataset: ${list(DATASETS_2D)}`)
    .option('--teacher <builtin|path>', 'teacher checkpoint (default builtin)')
    .option('--preset <name>', `start from a preset: ${list(PRESET_NAMES)}`)
    .option('--algorithm <a>', `algorithm: ${list(ALGORITHMS)}`)
    .option('--N <n>', 'number of discretisation levels N', numberArg)
    .option('--ema <mu>', 'target EMA decay mu', numberArg)
    .option('--eval-ema <e>', 'evaluation EMA decay', numberArg)
    .option('--lr <x>', 'Adam learning rate', numberArg)
    .option('--lr-schedule <s>', `learning-rate schedule: ${list(LR_SCHEDULES)}`)
    .option('--warmup <n>', 'learning-rate warm-up steps', numberArg)
    .option('--batch <n>', 'batch size', numberArg)
    .option('--steps <n>', 'training steps', numberArg)
    .option('--loss <l>', `loss: ${list(LOSSES)}`)
    .option('--huber-c <c>', 'pseudo-Huber c (default 0.00054 sqrt(dim))', numberArg)
    .option('--solver <s>', `teacher ODE step: ${list(SOLVERS)}`)
    .option('--grid <g>', `level spacing: ${list(GRIDS)}`)
    .option('--sigma-data <x>', 'sigma_data of the boundary scalings (default 0.5, the 2D data std)', numberArg)
    .option('--seed <s>', 'random seed', numberArg)
    .option('--backend <b>', `compute backend: ${list(BACKENDS)}`)
    .option('--eval-every <n>', 'evaluate every n steps (0: only at the end)', numberArg)
    .option('--checkpoint-every <n>', 'checkpoint every n steps', numberArg)
    .option('--eval-samples <n>', 'samples per evaluation (default 4000)', numberArg)
    .option('--multistep-sigmas <list>', 'comma-separated intermediate sigmas for 2+ step sampling', numberListArg)
    .option('--checkpoint-dir <dir>', 'write checkpoints (latest.ckpt) here')
    .option('--resume <file>', 'continue from a checkpoint written by --checkpoint-dir')
    .option('--export <dir>', 'write config.json, metrics.json and sample CSVs here')
    .option('--json', 'print a JSON summary as the last line of stdout')
    .action((options) => run(distillCommand(options)))

  return program
}

export async function main(argv: string[]): Promise<number> {
  let pending: Promise<number> | null = null
  const program = buildProgram((code) => {
    pending = code
  })
  try {
    await program.parseAsync(argv, { from: 'user' })
    if (argv.length === 0) {
      program.outputHelp()
      return EXIT_USAGE
    }
    return pending ? await pending : 0
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 || error.code === 'commander.helpDisplayed' || error.code === 'commander.version' ? 0 : EXIT_USAGE
    }
    if (error instanceof UsageError) {
      process.stderr.write(`clab: ${error.message}\n`)
      return EXIT_USAGE
    }
    process.stderr.write(`clab: ${error instanceof Error ? error.message : String(error)}\n`)
    if (process.env.CLAB_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`)
    return EXIT_FAILED
  }
}

process.exitCode = await main(process.argv.slice(2))
