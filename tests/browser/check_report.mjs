// Opens each given report.html in the distribution's headless Chromium and
// fails (exit 1) on a console error, a page error, a failed request, an
// <img> that did not load (naturalWidth 0), or a chart SVG with nothing
// drawn in it. Saves a full-page screenshot beside each report (or into
// SCREENSHOT_DIR) for a person to look at.
//
// Usage: node check_report.mjs results/quickstart/report.html [...]
// Never lets playwright download a browser: it drives /usr/bin/chromium
// (override with CHROMIUM=/path).
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const reports = process.argv.slice(2);
if (reports.length === 0) {
  console.error('usage: node check_report.mjs REPORT.html [...]');
  process.exit(2);
}
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
const profile = mkdtempSync(path.join(tmpdir(), 'snapsim-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath,
  headless: true,
  viewport: { width: 1200, height: 900 },
  args: [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
});

let failures = 0;
try {
  for (const report of reports) {
    const problems = [];
    const page = await context.newPage();
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
    });
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('requestfailed', (req) => problems.push(`request failed: ${req.url()}`));
    const url = pathToFileURL(path.resolve(report)).href;
    await page.goto(url, { waitUntil: 'load' });
    const found = await page.evaluate(() => {
      const images = [...document.images].map((img) => ({
        src: img.getAttribute('src'),
        ok: img.complete && img.naturalWidth > 0,
      }));
      const charts = [...document.querySelectorAll('figure.chart')].map((fig) => {
        const svg = fig.querySelector('svg');
        const drawn = svg ? svg.querySelectorAll('path, rect, polyline, line, circle, polygon, text').length : 0;
        const box = svg ? svg.getBoundingClientRect() : { width: 0, height: 0 };
        return { id: fig.id, drawn, width: box.width, height: box.height };
      });
      return { images, charts, title: document.title };
    });
    for (const img of found.images) {
      if (!img.ok) problems.push(`broken image: ${img.src}`);
    }
    if (found.charts.length === 0) problems.push('no chart (figure.chart) in the page');
    for (const c of found.charts) {
      if (c.drawn < 10 || c.width < 100 || c.height < 50) {
        problems.push(`empty chart ${c.id}: ${c.drawn} drawn elements, ${c.width}x${c.height} px`);
      }
    }
    const shotDir = process.env.SCREENSHOT_DIR || path.dirname(path.resolve(report));
    mkdirSync(shotDir, { recursive: true });
    const shot = path.join(shotDir, `${path.basename(path.dirname(path.resolve(report)))}-screenshot.png`);
    await page.screenshot({ path: shot, fullPage: true });
    await page.close();
    if (problems.length > 0) {
      failures += 1;
      console.error(`FAIL ${report} (${found.title})`);
      for (const p of problems) console.error(`  ${p}`);
    } else {
      console.log(`ok ${report}: ${found.charts.length} charts (${found.charts.map((c) => `${c.id}:${c.drawn}`).join(', ')}), screenshot ${shot}`);
    }
  }
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
console.log(`${reports.length - failures} passed, ${failures} failed`);
process.exit(failures > 0 ? 1 : 0);
