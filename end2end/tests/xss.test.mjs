// Every vector of the shared XSS corpora, delivered by SMTP to the dev
// Dovecot as the HTML body of a message and opened in the real message view:
// no script runs, no dialog opens, nothing navigates, no request leaves the
// page. The same run shows that an ordinary newsletter still looks right.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { launch, newPage, signIn, waitHydrated, baseUrl, adminEmail, adminPassword } from '../lib/browser.mjs';
import { buildMessage, send } from '../lib/smtp.mjs';

const reader = process.env.ESTAFETTE_E2E_READER ?? 'bob@example.test';
const corpus = ['h5sc.json', 'dompurify.json'].flatMap((file) =>
  JSON.parse(readFileSync(new URL(`../../../shared/corpus/xss/${file}`, import.meta.url), 'utf8')).vectors);

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** The signed-in user's INBOX: how many messages, and the newest UID. */
async function inbox(page) {
  return page.evaluate(async () => {
    const res = await fetch('/api/messages', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'folder=INBOX&page=0',
    });
    const page = await res.json();
    return { total: page.total, newest: page.rows[0]?.uid ?? 0 };
  });
}

/** Waits until the signed-in user's INBOX holds `total` messages. */
async function waitForInbox(page, total) {
  for (let i = 0; i < 300; i++) {
    const got = (await inbox(page)).total;
    if (got >= total) return got;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the INBOX never held ${total} messages`);
}

/** Everything a message might make the browser do, recorded. */
function watch(context, page) {
  const seen = { dialogs: [], requests: [], navigations: [], executed: [], popups: [] };
  const origin = new URL(baseUrl).origin;
  page.on('dialog', (d) => { seen.dialogs.push(d.message()); d.dismiss().catch(() => {}); });
  context.on('page', (p) => seen.popups.push(p.url()));
  context.on('request', (r) => {
    const url = new URL(r.url());
    if (url.protocol === 'data:' || url.protocol === 'about:' || url.protocol === 'blob:') return;
    const fromMessage = r.frame()?.url().includes('/frame?');
    const isTheFrame = r.isNavigationRequest() && url.pathname === '/frame';
    // The message's own images, by the grant the frame was given.
    const ownImage = url.origin === origin && url.pathname === '/inline';
    if (url.origin !== origin || (fromMessage && !isTheFrame && !ownImage)) seen.requests.push(r.url());
  });
  page.on('framenavigated', (f) => {
    const url = new URL(f.url(), baseUrl);
    const expected = f === page.mainFrame() ? ['/', '/message'] : ['/frame'];
    if (f.url() !== 'about:blank' && !expected.includes(url.pathname)) seen.navigations.push(f.url());
  });
  page.on('console', (m) => {
    // Chromium says this only when a script did run in the sandbox and tried a dialog.
    if (/Ignored call to/.test(m.text())) seen.executed.push(m.text());
  });
  return seen;
}

test('no vector of the XSS corpora does anything in the message view', { timeout: 900_000 }, async () => {
  const { context, page } = await newPage(browser);
  await signIn(page, reader, adminPassword);
  await page.waitForURL((u) => u.pathname === '/');
  // Other tests may have sent the reader mail: the vectors get the next UIDs.
  const before = await inbox(page);
  const messages = corpus.map((v) => buildMessage({
    from: adminEmail, to: reader, subject: `XSS ${v.id}`, html: v.html,
  }));
  await send(adminEmail, adminPassword, reader, messages);
  const total = await waitForInbox(page, before.total + corpus.length);
  assert.equal(total, before.total + corpus.length);

  const seen = watch(context, page);
  // Delivery order is Postfix's: open every UID, and so every vector.
  for (let uid = before.newest + 1; uid <= before.newest + corpus.length; uid++) {
    await page.goto(`/message?folder=INBOX&uid=${uid}`, { waitUntil: 'load' });
    const frame = page.frameLocator('iframe.message-frame');
    await frame.locator('main').waitFor({ state: 'attached' });
  }
  // Let anything delayed (timers, animations, meta refresh) have its moment.
  await page.waitForTimeout(1500);
  assert.deepEqual(seen.dialogs, [], 'dialogs');
  assert.deepEqual(seen.executed, [], 'scripts that ran');
  assert.deepEqual(seen.requests, [], 'requests leaving the page');
  assert.deepEqual(seen.navigations, [], 'navigations');
  assert.deepEqual(seen.popups, [], 'popups');
  await context.close();
});

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkaPhfDwAEZgGmrNuRmwAAAABJRU5ErkJggg==',
  'base64');

test('an ordinary newsletter keeps its layout, styles and inline image', async () => {
  const html = `<html><body style="background: #f4f4f4">
    <table class="layout" width="600" style="border-collapse: collapse">
      <tr><td style="color: rgb(0, 128, 0); font-size: 18px">Bonjour et bienvenue</td>
          <td><img src="cid:logo@news" alt="Logo" width="40" height="40"></td></tr>
      <tr><td colspan="2"><a href="https://example.com/offre">Voir l’offre</a></td></tr>
    </table>
    <img src="https://tracker.example/pixel.gif" width="1" height="1">
  </body></html>`;
  await send(adminEmail, adminPassword, reader, [buildMessage({
    from: adminEmail, to: reader, subject: 'Lettre d’information',
    html, attachments: [{ cid: 'logo@news', type: 'image/png', data: PNG }],
  })]);
  const { context, page } = await newPage(browser);
  await signIn(page, reader, adminPassword);
  await page.waitForURL((u) => u.pathname === '/');
  await waitHydrated(page);
  const row = page.locator('.message-row', { hasText: 'Lettre d’information' });
  await row.waitFor({ timeout: 30_000 }).catch(async () => {
    await page.reload();
    await row.waitFor();
  });
  const seen = watch(context, page);
  await row.locator('.subject a').click();
  await page.waitForURL((u) => u.searchParams.has('uid'));
  const frame = page.frameLocator('iframe.message-frame');
  const lead = frame.locator('td', { hasText: 'Bonjour et bienvenue' });
  await lead.waitFor();
  assert.equal(await lead.evaluate((el) => getComputedStyle(el).color), 'rgb(0, 128, 0)');
  assert.equal(await frame.locator('table').count(), 1);
  const logo = frame.locator('img[alt="Logo"]');
  await logo.waitFor();
  assert.ok(await logo.evaluate((img) => img.complete && img.naturalWidth === 1 && new URL(img.src).pathname === '/inline'), 'the cid: image is shown');
  assert.match(await page.locator('.remote-note[role=note]').innerText(), /\b1 remote/);
  assert.equal(await frame.locator('.remote').count(), 0, 'the frame holds the body only');
  assert.equal(await frame.locator('a', { hasText: 'Voir l’offre' }).getAttribute('rel'), 'noopener noreferrer');
  assert.deepEqual(seen.requests, [], 'the tracker was not asked');
  await context.close();
});
