/**
 * End-to-end: a bad value in the New run form shows its message, naming the field's problem and the value
 * typed, and launches nothing: not through the (then disabled) button, not through Enter pressed faster
 * than the validation debounce. The run history stays empty (checked through the API and the Runs view).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startLab, type Lab } from './lab'

let lab: Lab

beforeAll(async () => {
  lab = await startLab('form validation')
}, 180_000)

afterAll(async () => {
  await lab?.close()
})

async function runCount(): Promise<number> {
  const list = await (await lab.api()).call('runs.list')
  if (!list.ok) throw new Error(list.error.message)
  return list.value.length
}

describe('the New run form in Chromium', () => {
  it('shows the message of a bad value next to its field and launches nothing', async () => {
    await lab.session('form bad values', async ({ page, open, shot }) => {
      await open('#/new')
      const n = page.getByTestId('field-numScales')
      const lr = page.getByTestId('field-lr')
      const launch = page.getByTestId('launch')
      const status = page.getByTestId('validation-status')
      await n.waitFor()
      // The defaults are valid: the form says so and offers launch.
      await expect.poll(() => status.innerText()).toBe('Ready')
      await expect(launch.isEnabled()).resolves.toBe(true)
      await shot('defaults ready')

      // N = 1, submitted with Enter at once (before the debounced validation has answered): launch
      // re-validates and refuses, and the message names the value.
      await n.fill('1')
      await n.press('Enter')
      const nError = page.getByTestId('field-error-numScales')
      await nError.waitFor()
      await expect(nError.innerText()).resolves.toMatch(/N must be at least 2 \(got 1\)/)
      await expect(n.getAttribute('aria-invalid')).resolves.toBe('true')
      // The message is tied to the input for screen readers.
      await expect(n.getAttribute('aria-describedby')).resolves.toContain('new-numScales-error')
      await expect.poll(() => launch.isDisabled()).toBe(true)
      expect(new URL(page.url()).hash).toBe('#/new')
      await shot('N is 1')

      // A second bad value: both messages show, each with its value, and the count of problems.
      await lr.fill('-1')
      const lrError = page.getByTestId('field-error-lr')
      await lrError.waitFor()
      await expect(lrError.innerText()).resolves.toMatch(/learning rate must be > 0 \(got -1\)/)
      await expect(nError.innerText()).resolves.toMatch(/\(got 1\)/)
      await expect.poll(() => status.innerText()).toBe('2 problems to fix')
      // A disabled button cannot be clicked into launching; Enter in a field does not submit either.
      await launch.click({ force: true })
      await lr.press('Enter')
      await page.waitForTimeout(500)
      expect(new URL(page.url()).hash).toBe('#/new')
      await shot('N is 1 and lr is -1')

      expect(await runCount()).toBe(0)

      // Fixing the values clears the messages (launch comes back) — still nothing launched.
      await n.fill('12')
      await lr.fill('0.001')
      await expect.poll(() => status.innerText()).toBe('Ready')
      await expect(nError.count()).resolves.toBe(0)
      await expect(lrError.count()).resolves.toBe(0)
      await expect(launch.isEnabled()).resolves.toBe(true)
      await shot('fixed')

      await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Runs', exact: true }).click()
      await page.getByTestId('runs-empty').waitFor()
      await expect(page.getByTestId('run-row').count()).resolves.toBe(0)
      await shot('runs list empty')
      expect(await runCount()).toBe(0)
    })
  })
})
