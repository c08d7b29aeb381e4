/**
 * Terminal progress on stderr (stdout stays clean for --json). cli-progress draws a bar on a TTY; when
 * stderr is not a TTY a line is printed every 10% instead, so logs of scripted runs still show progress.
 */
import cliProgress from 'cli-progress'

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
