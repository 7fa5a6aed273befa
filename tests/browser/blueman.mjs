// BlueMan in a real browser: Debian's headless Chromium driven by
// playwright-core. Logs in through the form, reads the device's serial on
// Overview, opens Telemetry and watches p0's packet counter grow while a
// capture replays, charts a series picked in the counter browser.
// Screenshots go to ARTIFACTS.
//
//   node blueman.mjs URL USER PASSWORD SERIAL REPLAY-COMMAND... 
// Environment: ARTIFACTS (folder for screenshots), CHROMIUM (default /usr/bin/chromium).
// Prints TAP.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';

const [url, user, password, serial, ...replay] = process.argv.slice(2);
const artifacts = process.env.ARTIFACTS || '.';
mkdirSync(artifacts, { recursive: true });
let n = 0;
let failed = 0;
const ok = (cond, name, why) => {
  n += 1;
  if (cond) console.log(`ok ${n} - ${name}`);
  else { failed += 1; console.log(`not ok ${n} - ${name}`); if (why) console.log(`# ${why}`); }
};

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});
try {
  // The certificate is BlueMan's own self-signed one.
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1200, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));

  const t0 = Date.now();
  await page.goto(url);
  await page.waitForSelector('#login-form', { state: 'visible' });
  ok(true, `the login page is ready in ${Date.now() - t0} ms`);
  await page.fill('#user', user);
  await page.fill('#password', 'not-' + password);
  await page.click('#login-form button[type=submit]');
  await page.waitForFunction(() => document.querySelector('#login-error').textContent !== '');
  ok((await page.textContent('#login-error')).includes('bad user or password'), 'a wrong password is refused on the page');

  await page.fill('#password', password);
  await page.click('#login-form button[type=submit]');
  await page.waitForSelector('#overview:not([hidden])');
  const cell = page.locator('#device td[data-key="serial"]');
  await cell.waitFor();
  const shown = (await cell.textContent()).trim();
  ok(shown === serial, `Overview shows the device's serial (${shown})`, `expected ${serial}`);
  await page.screenshot({ path: `${artifacts}/blueman-overview.png`, fullPage: true });

  await page.click('nav a[data-page=telemetry]');
  await page.waitForSelector('#telemetry:not([hidden])');
  await page.fill('#filter', 'dts_eth_rx_packets_total');
  const p0 = async () => {
    const rows = await page.$$eval('#series tr', (trs) => trs.map((tr) => Array.from(tr.children).map((td) => td.textContent)));
    const row = rows.find((r) => r[0] === 'dts_eth_rx_packets_total' && r[1] === 'device=p0');
    return row ? Number(row[2]) : NaN;
  };
  await page.waitForFunction(() => Array.from(document.querySelectorAll('#series td')).some((td) => td.textContent === 'device=p0'));
  const before = await p0();
  ok(Number.isFinite(before), `Telemetry lists p0's received packets (${before})`);
  const r = spawnSync(replay[0], replay.slice(1), { encoding: 'utf8' });
  ok(r.status === 0, 'a capture replays into p0', r.stderr);
  let after = before;
  const end = Date.now() + 10000;
  while (Date.now() < end && !(after > before)) {
    await page.waitForTimeout(500); // the page refreshes every second by itself
    after = await p0();
  }
  ok(after > before, `the page shows p0's counter growing without a reload (${before} -> ${after})`);
  const chart = page.locator('.chart[data-port="p0"]');
  ok((await chart.locator('path.rx').count()) === 1 && (await chart.locator('path.tx').count()) === 1 &&
    (await chart.locator('.drops').count()) === 1 && (await chart.locator('.errors').count()) === 1,
    "p0's chart: received and sent lines, drop and error rates");
  // Any series can be charted: pin p0's received packets from the browser.
  await page.locator('#series tr', { hasText: 'device=p0' }).first().click();
  await page.waitForSelector('.pinned-chart[data-series="dts_eth_rx_packets_total{device=p0}"]', { timeout: 5000 })
    .then(() => ok(true, 'a series clicked in the counter browser gets a chart'))
    .catch((e) => ok(false, 'a series clicked in the counter browser gets a chart', String(e).split('\n')[0]));
  await page.screenshot({ path: `${artifacts}/blueman-telemetry.png`, fullPage: true });

  await page.click('nav a[data-page=health]');
  await page.waitForSelector('#sensors td[data-col="state"]');
  ok((await page.locator('#sensors tr').count()) > 1, 'Health lists the sensors');
  await page.screenshot({ path: `${artifacts}/blueman-health.png`, fullPage: true });

  await page.click('#logout');
  await page.waitForSelector('#login:not([hidden])');
  const status = await page.evaluate(async () => (await fetch('/api/v1/session')).status);
  ok(status === 401, 'after logging out the API refuses the page (401)');
  ok(errors.length === 0, 'no script errors on the page', errors.join('; '));
} catch (e) {
  ok(false, 'the browser session ran to its end', String(e).split('\n')[0]);
} finally {
  await browser.close();
}
console.log(`1..${n}`);
process.exit(failed ? 1 : 0);
