/**
 * Registers chart.js's pieces once (tree-shaken builds need it) and the zoom plugin used for drag-to-zoom
 * on curve charts. Imported only by components/Chart.svelte, so pure config builders stay DOM-free.
 */
import { Chart, registerables } from 'chart.js'
import zoomPlugin from 'chartjs-plugin-zoom'

let done = false

export function registerCharts(): typeof Chart {
  if (!done) {
    Chart.register(...registerables, zoomPlugin)
    // Streams of updates must not queue animations (no frame over 50 ms while a run streams).
    Chart.defaults.animation = false
    Chart.defaults.responsive = true
    Chart.defaults.maintainAspectRatio = false
    done = true
  }
  return Chart
}
