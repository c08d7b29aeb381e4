/**
 * Numbers on charts, short and never misleading: axis ticks in compact form (1e3, 5e-5, 0.25, integer
 * steps) and tooltip values to three significant digits (a loss of 2e-4 reads "2.00e-4", not "0").
 */

/** `1.50e-5` → `1.5e-5`; `6.80e+27` → `6.8e27`. */
function tidyExponent(text: string): string {
  const [mant = '', exp = ''] = text.split('e')
  const m = mant.includes('.') ? mant.replace(/0+$/, '').replace(/\.$/, '') : mant
  return `${m}e${exp.replace('+', '')}`
}

/**
 * An axis tick: at most three significant digits, trailing zeros dropped; powers of ten from 1e3 up and
 * below 1e-2 as exponents (1e3, 2.5e4, 5e-5); zero as "0" (ticks like 1e-17 are float noise about zero,
 * so `step`, the tick spacing when known, rounds them away).
 */
export function compactNumber(value: number, step?: number): string {
  if (!Number.isFinite(value)) return String(value)
  if (value === 0 || (step !== undefined && step > 0 && Math.abs(value) < step * 1e-6)) return '0'
  const a = Math.abs(value)
  if (a >= 1000 || a < 0.01) return tidyExponent(value.toExponential(2))
  return String(Number(value.toPrecision(3)))
}

/** A tick of an integer axis (training steps): whole numbers only, none for the in-between ticks. */
export function integerTick(value: number): string {
  if (!Number.isFinite(value) || !Number.isInteger(Math.round(value * 1e6) / 1e6)) return ''
  return String(Math.round(value))
}

/**
 * A value to three significant digits: 0.123, 1.85 (fixed between 0.001 and 1000), whole numbers up to a
 * million as they are (1848), otherwise 2.00e-4, 6.80e27.
 */
export function sig3(value: number): string {
  if (!Number.isFinite(value)) return String(value)
  if (value === 0) return '0'
  const a = Math.abs(value)
  if (a >= 1000 && a < 1e6) return String(Math.round(value))
  if (a >= 0.001 && a < 1000) return value.toPrecision(3)
  return value.toExponential(2).replace('+', '')
}

/**
 * Which ticks of a log axis get a label: every power of ten; 2 and 5 too while the axis spans at most
 * three decades (beyond that, they would crowd a small chart and overlap); within one decade every tick, as
 * there may be no 1, 2 or 5 in it and an axis without labels cannot be read (a Live SWD between 2.3 and 4.8).
 */
export function logTickShown(value: number, minValue: number, maxValue: number): boolean {
  if (!(value > 0)) return false
  const exp = Math.floor(Math.log10(value) + 1e-9)
  const mantissa = Math.round((value / 10 ** exp) * 1000) / 1000
  if (mantissa === 1) return true
  const decades = minValue > 0 && maxValue > 0 ? Math.log10(maxValue / minValue) : Infinity
  if (decades < 1) return true
  return decades <= 3 && (mantissa === 2 || mantissa === 5)
}
