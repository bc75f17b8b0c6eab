// axe-core on every main page, in the light and the dark theme: no
// violation of any impact, minor and moderate included. The theme follows the system here (the default), so
// each page is checked with the browser emulating both colour schemes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { launch, newPage, signIn, waitHydrated, adminEmail, adminPassword } from '../lib/browser.mjs';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** The violations axe finds on the page as it is now, of every impact. */
async function violations(page) {
  await page.evaluate(axeSource);
  const results = await page.evaluate(() =>
    window.axe.run(document, { iframes: false, resultTypes: ['violations'] }));
  return results.violations
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}

async function check(page, name, found) {
  for (const scheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme: scheme });
    // Transitions settle before colours are measured.
    await page.waitForTimeout(100);
    for (const v of await violations(page)) found.push(`${name} [${scheme}]: ${v}`);
  }
}

test('no accessibility violation of any impact, light and dark', { timeout: 180_000 }, async () => {
  const found = [];
  // The inline script that axe is cannot run under the page's CSP; the
  // browser is told to let the test's own script in.
  const { page, errors } = await newPage(browser, { bypassCSP: true });
  await page.goto('/login');
  await waitHydrated(page);
  await check(page, 'sign-in', found);

  await signIn(page, adminEmail, adminPassword);
  await page.waitForURL((u) => u.pathname === '/');
  await waitHydrated(page);
  await page.locator('.message-row').first().waitFor();
  await check(page, 'inbox', found);

  const uid = await page.locator('.message-row').first().getAttribute('data-uid');
  await page.goto(`/message?folder=INBOX&uid=${uid}`);
  await waitHydrated(page);
  await page.locator('.message-subject').waitFor();
  await check(page, 'message', found);

  await page.goto(`/?folder=INBOX&uid=${uid}`);
  await waitHydrated(page);
  await page.locator('.reading-pane .message-subject').waitFor();
  await check(page, 'inbox with reading pane', found);

  await page.goto('/compose');
  await waitHydrated(page);
  await check(page, 'compose', found);

  await page.goto('/settings');
  await waitHydrated(page);
  await page.locator('#pref-language').waitFor();
  await check(page, 'settings', found);

  await page.goto('/settings/filters');
  await waitHydrated(page);
  await page.locator('#vacation-on').waitFor();
  await page.getByRole('button', { name: 'Add a rule' }).click();
  await page.getByRole('button', { name: 'Add a condition' }).click();
  await page.getByRole('button', { name: 'Add an action' }).click();
  await check(page, 'filters, a rule being written', found);

  await page.goto('/admin');
  await waitHydrated(page);
  await page.locator('table.accounts tbody tr').first().waitFor();
  await check(page, 'admin', found);

  assert.deepEqual(found, []);
  assert.deepEqual(errors, []);
});
