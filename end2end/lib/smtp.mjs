// Mail for the browser tests: MIME messages built here and submitted to the
// dev Postfix (SMTP with AUTH PLAIN on loopback), which delivers into Dovecot.
import net from 'node:net';
import { randomBytes } from 'node:crypto';

export const smtpPort = Number(process.env.ESTAFETTE_E2E_SMTP_PORT ?? 1587);

const wrap = (b64) => b64.replace(/.{1,76}/g, '$&\r\n');
const encodeWord = (s) => (/^[\x20-\x7e]*$/.test(s) ? s : `=?UTF-8?B?${Buffer.from(s).toString('base64')}?=`);

/**
 * A message as RFC 5322 text. `attachments`: [{ name, type, data (Buffer), cid? }];
 * those with a `cid` are inline parts of the HTML.
 */
export function buildMessage({ from, to, subject, html, text, attachments = [] }) {
  const boundary = () => `b${randomBytes(12).toString('hex')}`;
  const part = (type, body, extra = '') =>
    `Content-Type: ${type}\r\nContent-Transfer-Encoding: base64\r\n${extra}\r\n${wrap(Buffer.from(body).toString('base64'))}`;
  let body = html
    ? part('text/html; charset=utf-8', html)
    : part('text/plain; charset=utf-8', text ?? '');
  const inline = attachments.filter((a) => a.cid);
  if (inline.length) {
    const b = boundary();
    body = `Content-Type: multipart/related; boundary="${b}"\r\n\r\n--${b}\r\n${body}` +
      inline.map((a) => `--${b}\r\n${part(a.type, a.data, `Content-ID: <${a.cid}>\r\nContent-Disposition: inline\r\n`)}`).join('') +
      `--${b}--\r\n`;
  }
  const files = attachments.filter((a) => !a.cid);
  if (files.length) {
    const b = boundary();
    body = `Content-Type: multipart/mixed; boundary="${b}"\r\n\r\n--${b}\r\n${body}` +
      files.map((a) => `--${b}\r\n${part(`${a.type}; name="${a.name}"`, a.data, `Content-Disposition: attachment; filename="${a.name}"\r\n`)}`).join('') +
      `--${b}--\r\n`;
  }
  const id = `<${randomBytes(8).toString('hex')}@estafette.test>`;
  return `From: ${from}\r\nTo: ${to}\r\nSubject: ${encodeWord(subject)}\r\nDate: ${new Date().toUTCString()}\r\n` +
    `Message-ID: ${id}\r\nMIME-Version: 1.0\r\n${body}`;
}

/** Submits `messages` (RFC 5322 strings) as `user`, all to `to`, over one connection. */
export async function send(user, password, to, messages) {
  const socket = net.connect(smtpPort, '127.0.0.1');
  socket.setEncoding('utf8');
  let buffer = '';
  const waiters = [];
  socket.on('data', (d) => {
    buffer += d;
    // A reply is complete at a line "NNN text" (not "NNN-text").
    let m;
    while ((m = buffer.match(/^(?:\d{3}-[^\n]*\n)*(\d{3}) [^\n]*\n/))) {
      buffer = buffer.slice(m[0].length);
      waiters.shift()?.resolve(m[0]);
    }
  });
  const failed = new Promise((_, reject) => socket.on('error', reject));
  const reply = (expect) => Promise.race([failed, new Promise((resolve) => waiters.push({ resolve }))])
    .then((r) => {
      if (!r.startsWith(expect)) throw new Error(`SMTP: expected ${expect}, got ${r}`);
      return r;
    });
  const command = (line, expect) => { const r = reply(expect); socket.write(`${line}\r\n`); return r; };
  await reply('220');
  await command('EHLO e2e.estafette.test', '250');
  await command(`AUTH PLAIN ${Buffer.from(`\0${user}\0${password}`).toString('base64')}`, '235');
  for (const message of messages) {
    await command(`MAIL FROM:<${user}>`, '250');
    await command(`RCPT TO:<${to}>`, '250');
    await command('DATA', '354');
    const dotted = message.replace(/\r?\n/g, '\r\n').replace(/^\./gm, '..');
    await command(`${dotted}${dotted.endsWith('\r\n') ? '' : '\r\n'}.`, '250');
  }
  await command('QUIT', '221');
  socket.end();
}
