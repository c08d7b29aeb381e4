/**
 * The renderer's runs: one subscription to the backend's events and one normalised set of run summaries (by
 * id) that the Runs, Live and Compare states derive their runs' status, dates, tags and notes from. Before,
 * each state subscribed on its own and merged `run` events into its own copies, so two views could disagree
 * about a run. States still add what only they need (a config, last metrics, curves) beside the summary.
 */
import { SvelteMap } from 'svelte/reactivity'
import type { ApiClient, ApiEvent, ApiMethod, ApiPayload, ApiResponses, ApiResult } from '@shared/ipc/api'
import type { RunSummary } from '@shared/store/types'
import { getApi } from '../api'

/** Gets each event after the store has applied it, with the run's summary as it was before a `run` event. */
export type RunsListener = (event: ApiEvent, before: RunSummary | undefined) => void

/** The summary part of a run read with or without its config and metrics (what events carry). */
export function summaryOf(run: RunSummary): RunSummary {
  return {
    id: run.id,
    kind: run.kind,
    status: run.status,
    teacherId: run.teacherId,
    parentRunId: run.parentRunId,
    parentKind: run.parentKind,
    parentStep: run.parentStep,
    backend: run.backend,
    appVersion: run.appVersion,
    seed: run.seed,
    createdAt: run.createdAt,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    error: run.error,
    notes: run.notes,
    tags: run.tags,
  }
}

/** A run as a state read it (with its config, metrics, …) under the store's newer summary, if any. */
export function withSummary<T extends RunSummary>(read: T, summary: RunSummary | undefined): T {
  // summaryOf keeps only summary fields, so what the state read beside them (a config) stays.
  return summary ? { ...read, ...summary } : read
}

export class RunsStore {
  /** Per-key reactive: a view that reads one run is not rerun when another run changes. */
  private readonly summaries = new SvelteMap<string, RunSummary>()
  private readonly listeners = new Set<RunsListener>()
  private unsubscribe: (() => void) | null = null

  constructor(readonly api: ApiClient) {}

  /** The newest summary the renderer has of a run, or undefined when it has read or heard nothing of it. */
  summary(id: string): RunSummary | undefined {
    return this.summaries.get(id)
  }

  /** Records runs read by a call (a list, a get, an action's answer): they are the newest the renderer has. */
  put(runs: readonly RunSummary[]): void {
    for (const run of runs) this.summaries.set(run.id, summaryOf(run))
  }

  /** Forgets deleted runs. */
  drop(ids: Iterable<string>): void {
    for (const id of ids) this.summaries.delete(id)
  }

  /** Listens to the backend's events; the first listener opens the one subscription and the last closes it. */
  listen(listener: RunsListener): () => void {
    this.listeners.add(listener)
    this.unsubscribe ??= this.api.subscribe((event) => this.onEvent(event))
    return () => {
      this.listeners.delete(listener)
      if (this.listeners.size === 0) {
        this.unsubscribe?.()
        this.unsubscribe = null
      }
    }
  }

  private onEvent(event: ApiEvent): void {
    let before: RunSummary | undefined
    if (event.type === 'run') {
      before = this.summaries.get(event.run.id)
      this.summaries.set(event.run.id, summaryOf(event.run))
    }
    for (const listener of [...this.listeners]) listener(event, before)
  }
}

/**
 * An ApiClient usable before the real one is connected (views build their state synchronously): calls
 * wait for it, and a failed connection surfaces as each call's error.
 */
export function deferredClient(get: () => Promise<ApiClient>): ApiClient {
  return {
    async call<M extends ApiMethod>(method: M, payload?: ApiPayload<M>): Promise<ApiResult<ApiResponses[M]>> {
      return (await get()).call(method, payload)
    },
    subscribe(listener) {
      let stopped = false
      let unsubscribe: (() => void) | null = null
      get().then(
        (api) => {
          if (!stopped) unsubscribe = api.subscribe(listener)
        },
        () => {
          // The calls report the connection failure.
        },
      )
      return () => {
        stopped = true
        unsubscribe?.()
      }
    },
  }
}

let appStore: RunsStore | null = null

/** The app's one store, over the app's client; every view's state shares it. */
export function appRunsStore(): RunsStore {
  return (appStore ??= new RunsStore(deferredClient(getApi)))
}
