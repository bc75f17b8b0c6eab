// Hostile mail in a real browser: bob's message claiming to be PayPal
// (failed by the receiving server, its link showing paypal.com and leading
// elsewhere) is marked in the list and opens under a banner; a click on the
// link opens the warning page naming the real host; bob's ordinary message
// shows no banner and says who vouches for him. The banner is axe-clean in
// both themes. (Its French words: the app's unit tests.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { launch, newPage, signIn, waitHydrated, arrived, adminEmail, adminPassword } from '../lib/browser.mjs';
import { send } from '../lib/smtp.mjs';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const bob = process.env.ESTAFETTE_E2E_READER ?? 'bob@example.test';
// The receiving server scripts/test.sh names in mail.authserv_id.
const mx = process.env.ESTAFETTE_E2E_AUTHSERV_ID ?? 'mx.example.test';

function raw({ from, subject, auth, html }) {
  const id = `<${randomBytes(8).toString('hex')}@example.test>`;
  return `Authentication-Results: ${auth}\r\nFrom: ${from}\r\nTo: ${adminEmail}\r\nSubject: ${subject}\r\n` +
    `Date: ${new Date().toUTCString()}\r\nMessage-ID: ${id}\r\nMIME-Version: 1.0\r\n` +
    `Content-Type: text/html; charset=utf-8\r\n\r\n<html><body>${html}</body></html>\r\n`;
}

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function violations(page) {
  await page.evaluate(axeSource);
  const results = await page.evaluate(() =>
    window.axe.run(document, { iframes: false, resultTypes: ['violations'] }));
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}

test('a spoofed message is flagged, its lying link goes through the warning page; an ordinary one is not', { timeout: 180_000 }, async () => {
  const token = randomBytes(4).toString('hex');
  await send(bob, adminPassword, adminEmail, [
    raw({
      from: '"PayPal Service" <service@paypal.com>',
      subject: `Account locked ${token}`,
      auth: `${mx}; spf=fail smtp.mailfrom=paypal.com; dkim=none; dmarc=fail header.from=paypal.com`,
      html: '<p>Confirm your details at <a href="https://evil.test/login">https://www.paypal.com/signin</a>.</p>',
    }),
    raw({
      from: `"Bob" <${bob}>`,
      subject: `Lunch ${token}`,
      auth: `${mx}; spf=pass smtp.mailfrom=example.test; dkim=pass header.d=example.test; dmarc=pass header.from=example.test`,
      html: '<p>The menu: <a href="https://news.example.org/menu">news.example.org</a></p>',
    }),
  ]);
  const { page, errors } = await newPage(browser, { bypassCSP: true });
  await signIn(page, adminEmail, adminPassword);
  await page.waitForURL((u) => u.pathname === '/');

  const spoof = await arrived(page, `Account locked ${token}`);
  await spoof.getByRole('img', { name: 'Warning: this message may not be what it seems' }).waitFor();
  const ordinary = await arrived(page, `Lunch ${token}`);
  assert.equal(await ordinary.locator('.mark.threat').count(), 0, 'no mark on ordinary mail');

  // The spoof, opened on its own page.
  const spoofUid = await (await arrived(page, `Account locked ${token}`)).getAttribute('data-uid');
  await page.goto(`/message?folder=INBOX&uid=${spoofUid}`);
  await waitHydrated(page);
  const banner = page.getByRole('region', { name: 'Be careful with this message' });
  await banner.waitFor();
  const said = await banner.innerText();
  assert.match(said, /claims to be from paypal\.com but was not sent by it/);
  assert.match(said, /A link shows www\.paypal\.com but leads to evil\.test/);
  await page.locator('.sender-check.fail').waitFor();
  for (const scheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.waitForFunction((s) => matchMedia(`(prefers-color-scheme: ${s})`).matches, scheme);
    assert.deepEqual(await violations(page), [], `the banner, ${scheme}`);
  }

  // The link opens the warning page in a new tab, naming the real host.
  const frame = page.frameLocator('iframe.message-frame');
  const popup = page.waitForEvent('popup');
  await frame.getByRole('link', { name: 'https://www.paypal.com/signin' }).click();
  const warning = await popup;
  await waitHydrated(warning);
  await warning.getByRole('heading', { name: 'Check where this link leads' }).waitFor();
  assert.equal(await warning.locator('.destination').innerText(), 'evil.test');
  assert.match(await warning.locator('main').innerText(), /The link showed www\.paypal\.com/);
  const go = warning.getByRole('link', { name: 'Go on to evil.test' });
  assert.equal(await go.getAttribute('href'), 'https://evil.test/login');
  await warning.close();

  // The ordinary message: no banner, and who vouches for its sender.
  const lunchUid = await (await arrived(page, `Lunch ${token}`)).getAttribute('data-uid');
  await page.goto(`/message?folder=INBOX&uid=${lunchUid}`);
  await waitHydrated(page);
  await page.locator('.sender-check.pass', { hasText: 'Verified: sent by example.test' }).waitFor();
  assert.equal(await page.locator('.threat-banner').count(), 0, 'no banner on ordinary mail');
  const menu = frame.getByRole('link', { name: 'news.example.org' });
  assert.equal(await menu.getAttribute('href'), 'https://news.example.org/menu', 'an honest link is left alone');

  assert.deepEqual(errors, []);
});
