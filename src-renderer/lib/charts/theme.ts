/**
 * Chart colours: a run palette (stable per run index) and the theme colours of styles/theme.css, read at
 * chart-build time so charts follow the system's light / dark setting.
 */

/** Ten distinguishable hues (Tableau 10), readable on light and dark backgrounds. */
export const RUN_COLORS = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
] as const

export function runColor(index: number): string {
  return RUN_COLORS[((index % RUN_COLORS.length) + RUN_COLORS.length) % RUN_COLORS.length] as string
}

/** `#rrggbb` with an alpha in [0, 1] as `rgba(...)`: faint raw curves behind smoothed ones. */
export function withAlpha(hex: string, alpha: number): string {
  const m = /^#([0-9a-f]{6})$/i.exec(hex)
  if (!m) return hex
  const n = Number.parseInt(m[1] as string, 16)
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`
}

export interface ChartTheme {
  fg: string
  muted: string
  grid: string
  dataPoint: string
}

export const LIGHT_THEME: ChartTheme = {
  fg: '#1d2128',
  muted: '#5b6472',
  grid: 'rgba(0, 0, 0, 0.08)',
  dataPoint: 'rgba(90, 100, 115, 0.35)',
}

/** The current theme from the CSS variables (falls back to light outside a browser, e.g. in unit tests). */
export function currentTheme(): ChartTheme {
  if (typeof document === 'undefined' || typeof getComputedStyle === 'undefined') return LIGHT_THEME
  const css = getComputedStyle(document.documentElement)
  const read = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback
  return {
    fg: read('--fg', LIGHT_THEME.fg),
    muted: read('--fg-muted', LIGHT_THEME.muted),
    grid: read('--grid', LIGHT_THEME.grid),
    dataPoint: read('--data-point', LIGHT_THEME.dataPoint),
  }
}
