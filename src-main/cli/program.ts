/**
 * The `clab` commands and their options (the config fields' from the registry, see config-options.ts).
 */
import { Command } from 'commander'
import { DISTILL_FIELDS } from '@shared/config/distill-fields'
import { distillDefaultText, teacherDefaultText } from '@shared/config/field-defaults'
import { PRESET_NAMES } from '@shared/config/presets'
import { TEACHER_FIELDS } from '@shared/config/teacher-fields'
import { IMAGE_DATASET_KINDS } from '@shared/data/images'
import { SHOWN_STATUSES } from '@shared/store/shown-status'
import { numberArg, numberListArg } from './args'
import { addConfigOptions } from './config-options'
import { distillCommand } from './distill-command'
import { teacherCommand } from './teacher-command'

const DATA_DIR_HELP = 'run history folder (default $CLAB_DATA_DIR or ~/.consistency-lab)'

/** The flags of `distill` and `sweep` (the registry's, then the run's own); a sweep lists its sweepable fields. */
function addDistillOptions(command: Command, sweepable?: (value: string) => number[]): Command {
  return addConfigOptions(command, DISTILL_FIELDS, {
    defaultText: distillDefaultText,
    ...(sweepable ? { sweepable } : {}),
  })
    .option('--preset <name>', `start from a preset: ${list(PRESET_NAMES)}`)
    .option('--tag <tag...>', 'tag the run(s) in the history')
    .option('--data-dir <dir>', DATA_DIR_HELP)
    .option('--json', 'print a JSON summary as the last line of stdout')
}

function list(values: readonly string[]): string {
  return values.join('|')
}

export function buildProgram(run: (code: Promise<number>) => void): Command {
  const program = new Command('clab')
    .description('Consistency Lab: train diffusion teachers, distill consistency models, measure them')
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')

  addConfigOptions(
    program
      .command('teacher')
      .description(
        'train an epsilon-prediction DDPM teacher on a 2D dataset (MLP) or an imported image dataset (U-Net)',
      ),
    TEACHER_FIELDS,
    { defaultText: teacherDefaultText },
  )
    .option('--eval-samples <n>', 'samples for the final K = 1, 10, 100 evaluation (default 4000)', numberArg)
    .option('--out <dir>', 'also copy teacher.ckpt and teacher.json here')
    .option('--data-dir <dir>', DATA_DIR_HELP)
    .option('--json', 'print a JSON summary as the last line of stdout')
    .action((options) => run(teacherCommand(options)))

  addDistillOptions(
    program.command('distill').description('distill a consistency model from a teacher (or train one with ct / ict)'),
  )
    .option('--export <dir>', 'write config.json, metrics.json and sample CSVs here')
    .action((options) => run(distillCommand(options)))

  addDistillOptions(
    program
      .command('sweep')
      .description('queue one distillation per point of a grid, e.g. --N 10,18,40 --ema 0.9,0.95, and follow them'),
    numberListArg,
  ).action((options) => run(import('./runs-command').then((m) => m.sweepCommand(options))))

  const teachers = program.command('teachers').description('teachers in the run history: list, import, export')
  teachers
    .command('list')
    .option('--dataset <name>', 'only teachers of this dataset')
    .option(
      '--quality',
      "under the list, each measured teacher's table: precision, recall, off-support and SWD at K = 1, 10, 100",
    )
    .option('--data-dir <dir>', DATA_DIR_HELP)
    .option('--json', 'print JSON')
    .action((options) => run(import('./teachers-command').then((m) => m.teachersListCommand(options))))
  teachers
    .command('import <file>')
    .description('copy a teacher checkpoint into the history; distill from it with --teacher <id>')
    .option('--name <name>', 'a name to show')
    .option('--data-dir <dir>', DATA_DIR_HELP)
    .option('--json', 'print JSON')
    .action((file: string, options) =>
      run(import('./teachers-command').then((m) => m.teachersImportCommand(file, options))),
    )
  teachers
    .command('measure [ids...]')
    .description(
      'sample 2D teachers at K = 1, 10, 100 and store their precision, recall and SWD against held-out data (those not measured yet when no id is given)',
    )
    .option('--all', 'measure every teacher again')
    .option('--dataset <name>', 'only teachers of this dataset')
    .option('--data-dir <dir>', DATA_DIR_HELP)
    .option('--json', 'print JSON')
    .action((ids: string[], options) =>
      run(import('./teachers-command').then((m) => m.teachersMeasureCommand(ids, options))),
    )
  teachers
    .command('export <id> <file>')
    .option('--data-dir <dir>', DATA_DIR_HELP)
    .option('--json', 'print JSON')
    .action((id: string, file: string, options) =>
      run(import('./teachers-command').then((m) => m.teachersExportCommand(id, file, options))),
    )

  const data = program
    .command('data')
    .description('image datasets in the history: import MNIST / Fashion-MNIST IDX files or CIFAR-10 batches, list them')
  data
    .command('import <path...>')
    .description(
      'import IDX images + labels files (raw or .gz) or CIFAR-10 binary batches; the same content is stored once',
    )
    .option('--name <name>', 'a name to show (default: kind and split, e.g. fashion-mnist-t10k)')
    .option('--kind <kind>', `dataset kind (default: detected): ${list(IMAGE_DATASET_KINDS)}`)
    .option('--data-dir <dir>', DATA_DIR_HELP)
    .option('--json', 'print JSON')
    .action((paths: string[], options) =>
      run(import('./data-command').then((m) => m.dataImportCommand(paths, options))),
    )
  data
    .command('list')
    .description('imported datasets, newest first')
    .option('--kind <kind>', 'only datasets of this kind')
    .option('--data-dir <dir>', DATA_DIR_HELP)
    .option('--json', 'print JSON')
    .action((options) => run(import('./data-command').then((m) => m.dataListCommand(options))))

  const runs = program
    .command('runs')
    .description('the run history: list, show, tag, rename, rm, export, import, resume (ids: a unique prefix will do)')
  runs
    .command('list')
    .description('list runs, newest first, with their last loss and one-step sliced Wasserstein')
    .option('--status <s>', `only runs shown with this status: ${list(SHOWN_STATUSES)}`)
    .option('--kind <k>', 'distill or teacher')
    .option('--tag <tag...>', 'only runs with all these tags')
    .option('--limit <n>', 'at most n runs (default 50)', numberArg)
    .option('--data-dir <dir>', DATA_DIR_HELP)
    .option('--json', 'print JSON')
    .action((options) => run(import('./runs-command').then((m) => m.runsListCommand(options))))
  runs
    .command('show <id>')
    .description("a run's config, status, lineage, checkpoints and final evaluation")
    .option('--data-dir <dir>', DATA_DIR_HELP)
    .option('--json', 'print JSON')
    .action((id: string, options) => run(import('./runs-command').then((m) => m.runsShowCommand(id, options))))
  runs
    .command('tag <id> <tags...>')
    .description('tag (or with --remove untag) a run; --note sets its notes')
    .option('--remove', 'remove the tags instead')
    .option('--note <text>', "set the run's notes")
    .option('--data-dir <dir>', DATA_DIR_HELP)
    .option('--json', 'print JSON')
    .action((id: string, tags: string[], options) =>
      run(import('./runs-command').then((m) => m.runsTagCommand(id, tags, options))),
    )
  runs
    .command('rename <id> <name>')
    .description('name a run (shown in lists, legends and the app); "" goes back to the name from its config')
    .option('--data-dir <dir>', DATA_DIR_HELP)
    .option('--json', 'print JSON')
    .action((id: string, name: string, options) =>
      run(import('./runs-command').then((m) => m.runsRenameCommand(id, name, options))),
    )
  runs
    .command('rm <ids...>')
    .description('delete runs with their files')
    .option('--data-dir <dir>', DATA_DIR_HELP)
    .option('--json', 'print JSON')
    .action((ids: string[], options) => run(import('./runs-command').then((m) => m.runsRemoveCommand(ids, options))))
  runs
    .command('export <id>')
    .description('write a run as a folder: run.json, metrics.csv, evaluations.json, samples, checkpoints')
    .requiredOption('--out <dir>', 'destination folder')
    .option('--data-dir <dir>', DATA_DIR_HELP)
    .option('--json', 'print JSON')
    .action((id: string, options) => run(import('./runs-command').then((m) => m.runsExportCommand(id, options))))
  runs
    .command('import [folders...]')
    .description('add exported run folders (or every run of another data folder) to the history')
    .option('--from-data-dir <dir>', "import every run of another data folder's history")
    .option('--data-dir <dir>', DATA_DIR_HELP)
    .option('--json', 'print JSON')
    .action((folders: string[], options) =>
      run(import('./runs-command').then((m) => m.runsImportCommand(folders, options))),
    )
  runs
    .command('resume <id>')
    .description(
      'continue a paused, interrupted, failed or cancelled run from its last checkpoint (same config and seed)',
    )
    .option('--steps <n>', 'extend the run to n steps', numberArg)
    .option('--export <dir>', 'write config.json, metrics.json and sample CSVs here')
    .option('--data-dir <dir>', DATA_DIR_HELP)
    .option('--json', 'print a JSON summary as the last line of stdout')
    .action((id: string, options) => run(import('./runs-command').then((m) => m.runsResumeCommand(id, options))))

  program
    .command('serve')
    .description('serve the UI and the API (WebSocket /api) to a browser; the printed URL carries the access token')
    .option('--port <p>', 'port (0: any free port)', numberArg, 5178)
    .option('--host <h>', 'address to listen on (loopback unless --allow-remote)', '127.0.0.1')
    .option('--open', 'open the URL in a browser')
    .option('--allow-remote', 'allow a non-loopback --host (anyone with the token can drive the lab)')
    .option('--data-dir <dir>', DATA_DIR_HELP)
    .action((options) => run(import('./serve-command').then((m) => m.serveCommand(options))))

  return program
}
