/**
 * Runs as people name them in every view (#19): the run's name (the user's, or the one derived from its
 * settings), else its id. Two runs of one view may share a name (same settings, or one given twice), so
 * those get the end of their id beside it, as git shows a short hash.
 */
import type { ChartConfiguration } from 'chart.js'
import type { RunSummary } from '@shared/store/types'

/** Characters of the id's random tail that tell runs apart (the CLI takes them as a short id). */
const TAIL = 6

export function runName(run: Pick<RunSummary, 'id' | 'name'>): string {
  return run.name ?? run.id
}

/** Each run's name in this set of runs, by id; a name two of them share gets ` · <id tail>`. */
export function runNames(runs: readonly Pick<RunSummary, 'id' | 'name'>[]): Record<string, string> {
  const count = new Map<string, number>()
  for (const r of runs) count.set(runName(r), (count.get(runName(r)) ?? 0) + 1)
  return Object.fromEntries(
    runs.map((r) => {
      const name = runName(r)
      return [r.id, (count.get(name) ?? 0) > 1 && name !== r.id ? `${name} · ${r.id.slice(-TAIL)}` : name]
    }),
  )
}

/**
 * A chart whose datasets are labelled by run id (quality vs NFE, grouped curves) relabelled with the runs'
 * names: every id in a label becomes its name ("teacher (<id>, <id>)" too), and band datasets ("… (min)",
 * "… (max)") leave the legend, where they would repeat the run.
 */
export function withRunNames<C extends ChartConfiguration>(config: C, names: Readonly<Record<string, string>>): C {
  const ids = Object.keys(names).sort((a, b) => b.length - a.length)
  const rename = (label: string) => ids.reduce((text, id) => text.split(id).join(names[id] as string), label)
  const datasets = config.data.datasets.map((d) => (typeof d.label === 'string' ? { ...d, label: rename(d.label) } : d))
  const plugins = config.options?.plugins
  return {
    ...config,
    data: { ...config.data, datasets },
    options: {
      ...config.options,
      plugins: {
        ...plugins,
        legend: {
          ...plugins?.legend,
          labels: {
            ...plugins?.legend?.labels,
            filter: (item: { text: string }) => !/ \((min|max)\)$/u.test(item.text),
          },
        },
      },
    },
  } as C
}
