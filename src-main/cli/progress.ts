/**
 * Terminal progress on stderr (stdout stays clean for --json). cli-progress draws a bar on a TTY; when
 * stderr is not a TTY a line is printed every 10% instead, so logs of scripted runs still show progress.
 */
import cliProgress from 'cli-progress'
import type { RunPhase } from '@shared/ipc/api'
import { phaseText } from '@shared/ipc/run-phase-text'

export interface Progress {
  update(value: number, payload?: Record<string, string | number>): void
  stop(): void
}

export function progressBar(label: string, total: number, initial = 0): Progress {
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        format: `${label} [{bar}] {percentage}% | {value}/{total} | {rate} steps/s | ETA {eta_formatted} | loss {loss}`,
        stream: process.stderr,
        hideCursor: true,
        etaBuffer: 200,
      },
      cliProgress.Presets.shades_classic,
    )
    bar.start(total, initial, { loss: '-', rate: '-' })
    let lastValue = initial
    let lastTime = performance.now()
    let rate = 0
    return {
      update(value, payload = {}) {
        const now = performance.now()
        if (now - lastTime > 500) {
          rate = ((value - lastValue) * 1000) / (now - lastTime)
          lastValue = value
          lastTime = now
        }
        bar.update(value, { ...payload, rate: rate.toFixed(1) })
      },
      stop: () => bar.stop(),
    }
  }
  let nextReport = initial + Math.max(1, Math.ceil(total / 10))
  const started = performance.now()
  return {
    update(value, payload = {}) {
      if (value >= nextReport || value === total) {
        const elapsed = (performance.now() - started) / 1000
        const extras = Object.entries(payload)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')
        process.stderr.write(
          `${label}: ${value}/${total} (${((100 * value) / total).toFixed(0)}%, ${elapsed.toFixed(1)} s${extras ? `, ${extras}` : ''})\n`,
        )
        nextReport = value + Math.max(1, Math.ceil(total / 10))
      }
    },
    stop() {},
  }
}

export interface PhaseLine {
  /** Shows the run's phase (#19: starting, preparing, evaluating), or ends the one shown (null). */
  show(phase: RunPhase | null): void
  stop(): void
}

/**
 * A run's phase between steps on stderr. On a terminal one line, redrawn with the elapsed time every
 * 250 ms and left in place with its final time when the phase ends; otherwise a line when a phase begins,
 * at each tenth of its count, and when it ends (with its time).
 */
export function phaseLine(now: () => number = Date.now): PhaseLine {
  const tty = process.stderr.isTTY === true
  let shown: RunPhase | null = null
  let printedDone = -1
  let timer: ReturnType<typeof setInterval> | null = null
  const draw = () => {
    if (shown) process.stderr.write(`\r\u001b[K${phaseText(shown, now())}`)
  }
  const end = () => {
    if (!shown) return
    if (tty) {
      draw()
      process.stderr.write('\n')
    } else process.stderr.write(`${phaseText({ ...shown, done: shown.total }, now())} (done)\n`)
    if (timer) clearInterval(timer)
    timer = null
    shown = null
  }
  return {
    show(phase) {
      if (shown && (!phase || phase.name !== shown.name)) end()
      if (!phase) return
      const fresh = shown === null
      shown = phase
      if (tty) {
        draw()
        timer ??= setInterval(draw, 250)
        timer.unref?.()
        return
      }
      const step = Math.max(1, Math.ceil(phase.total / 10))
      if (fresh || (phase.done >= printedDone + step && phase.done < phase.total)) {
        printedDone = phase.done
        process.stderr.write(`${phaseText(phase, now())}\n`)
      }
    },
    stop: end,
  }
}
