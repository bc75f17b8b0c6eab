// Mail from a list, as bob reads it: the newsletter's images come through
// Estafette's image proxy (the list's server sees one fetch, never bob's
// browser), and "Unsubscribe" sends the one-click POST of RFC 8058 from the
// server, once, however often it is clicked. The local "list server" is the
// one address scripts/test.sh lets Estafette reach (`web.allow`).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { launch, signedInPage, waitHydrated, arrived, adminPassword } from '../lib/browser.mjs';
import { buildMessage, send } from '../lib/smtp.mjs';

const bob = process.env.ESTAFETTE_E2E_READER ?? 'bob@example.test';
const listPort = Number(process.env.ESTAFETTE_E2E_LIST_PORT ?? 18087);
const shots = '../target/screenshots';
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkaPhfDwAEZgGmrNuRmwAAAABJRU5ErkJggg==',
  'base64',
);

let browser;
let list;
const hits = [];

before(async () => {
  browser = await launch();
  mkdirSync(shots, { recursive: true });
  list = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      hits.push({ method: req.method, path: req.url, body, headers: req.headers });
      if (req.method === 'GET' && req.url.startsWith('/logo.png')) {
        res.writeHead(200, { 'content-type': 'image/png' });
        res.end(PNG);
      } else if (req.method === 'POST' && req.url.startsWith('/unsubscribe')) {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('You are unsubscribed.');
      } else {
        res.writeHead(404);
        res.end();
      }
    });
  });
  await new Promise((resolve) => list.listen(listPort, '127.0.0.1', resolve));
});
after(async () => {
  await browser?.close();
  await new Promise((resolve) => list?.close(resolve));
});

const of = (method, prefix) => hits.filter((h) => h.method === method && h.path.startsWith(prefix));

/** A newsletter to bob from a list at the list server, with `token` in its subject. */
async function newsletter(token, { oneClick = true } = {}) {
  const base = `http://127.0.0.1:${listPort}`;
  const html = `<h1>Garden news</h1><p><img src="${base}/logo.png?${token}" alt="Logo" width="40" height="40"> ` +
    'Tomatoes are in. Come and see the new beds this weekend.</p>';
  const headers = `List-Id: Garden news <garden.list.example>\r\n` +
    `List-Unsubscribe: <mailto:leave@list.example?subject=leave>, <${base}/unsubscribe?${token}>\r\n` +
    (oneClick ? 'List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n' : '');
  const message = headers + buildMessage({ from: bob, to: bob, subject: `Garden news ${token}`, html });
  await send(bob, adminPassword, bob, [message]);
}

test('a newsletter is left with one click, asked once', { timeout: 90_000 }, async () => {
  const token = randomBytes(4).toString('hex');
  await newsletter(token);
  const { page, context, errors } = await signedInPage(browser, bob, adminPassword);
  const row = await arrived(page, token);
  await row.locator('.subject a').click();
  const note = page.locator('.unsubscribe-note');
  await note.waitFor();
  assert.match(await note.innerText(), /From a mailing list at 127\.0\.0\.1\./);
  assert.equal(of('POST', `/unsubscribe?${token}`).length, 0, 'nothing before the click');

  // Remote images: loaded through the proxy when asked, never straight.
  const frame = page.frameLocator('iframe.message-frame');
  await frame.locator('main h1').waitFor();
  assert.equal(of('GET', `/logo.png?${token}`).length, 0, 'blocked until asked');
  await page.getByRole('button', { name: 'Load remote images' }).click();
  const logo = frame.locator('img[alt="Logo"]');
  // The frame has no origin of ours: asked through its locator until loaded.
  const shown = async () => {
    let src;
    for (let i = 0; i < 50 && !src?.loaded; i++) {
      if (i) await page.waitForTimeout(100);
      src = await logo.evaluate((img) => ({ loaded: img.complete && img.naturalWidth === 1, path: new URL(img.src).pathname }));
    }
    return src;
  };
  const src = await shown();
  assert.deepEqual(src, { loaded: true, path: '/image' });
  const fetched = of('GET', `/logo.png?${token}`);
  assert.equal(fetched.length, 1);
  assert.ok(!fetched[0].headers.cookie && !fetched[0].headers.referer, 'nothing of bob went with it');
  assert.doesNotMatch(fetched[0].headers['user-agent'] ?? '', /Chrome|Mozilla/, 'the server fetched it, not the browser');

  await page.screenshot({ path: `${shots}/message-list-light.png` });
  const button = note.getByRole('button', { name: 'Unsubscribe' });
  // Two clicks at once: one request.
  await button.dblclick();
  // Said once the list's server answered: the POST has arrived by then.
  await note.getByText('Unsubscribe request sent to 127.0.0.1.').waitFor();
  const posts = of('POST', `/unsubscribe?${token}`);
  assert.equal(posts.length, 1, 'the list server received the one-click POST once');
  assert.equal(posts[0].body, 'List-Unsubscribe=One-Click');
  assert.ok(!posts[0].headers.cookie);

  // Opened again: asking again says it was done, and sends nothing.
  await page.reload();
  await waitHydrated(page);
  await note.getByRole('button', { name: 'Unsubscribe' }).click();
  await note.getByText('You already asked 127.0.0.1 to unsubscribe you.').waitFor();
  assert.equal(of('POST', `/unsubscribe?${token}`).length, 1);
  // Its image comes from the proxy's copy: the list sees no second fetch.
  await page.getByRole('button', { name: 'Load remote images' }).click();
  assert.deepEqual(await shown(), { loaded: true, path: '/image' });
  assert.equal(of('GET', `/logo.png?${token}`).length, 1);
  assert.deepEqual(errors, []);
  await context.close();
});

test('without one click, a list is left by the mail it asks for', { timeout: 60_000 }, async () => {
  const token = randomBytes(4).toString('hex');
  await newsletter(token, { oneClick: false });
  const { page, context, errors } = await signedInPage(browser, bob, adminPassword, { viewport: { width: 390, height: 844 }, colorScheme: 'dark' });
  const row = await arrived(page, token);
  await row.locator('.subject a').click();
  const link = page.locator('.unsubscribe-note').getByRole('link', { name: 'Unsubscribe by email' });
  await link.waitFor();
  await page.screenshot({ path: `${shots}/message-list-phone-dark.png` });
  await link.click();
  await page.waitForURL((u) => u.pathname === '/compose');
  await waitHydrated(page);
  assert.equal(await page.getByLabel('To', { exact: true }).inputValue(), 'leave@list.example');
  assert.equal(await page.getByLabel('Subject').inputValue(), 'leave');
  assert.equal(of('POST', `/unsubscribe?${token}`).length, 0, 'nothing was sent for it');
  assert.deepEqual(errors, []);
  await context.close();
});
