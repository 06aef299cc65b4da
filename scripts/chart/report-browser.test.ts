// report.html as a reader opens it: in Debian's Chromium (headless, driven by
// playwright-core), from a file, with the network closed off. Every chart must draw its
// marks, the console must stay free of errors, and the page must ask for nothing beyond
// itself. A screenshot is kept under the test's output folder.
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readResults } from '../results-file.ts';
import { writeCharts } from './chart.ts';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
/** Where the screenshot goes (git-ignored). */
const OUTPUT = fileURLToPath(new URL('../../results/test-output/', import.meta.url));

/** Debian's Chromium, as .ci/install-browser installs it; CHROMIUM may name another. */
function chromiumPath(): string {
  const candidates = [process.env.CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter((p): p is string => p !== undefined);
  const found = candidates.find((p) => existsSync(p));
  if (found === undefined) throw new Error(`no Chromium at ${candidates.join(', ')}: run .ci/install-browser (or set CHROMIUM)`);
  return found;
}

let browser: Browser;

beforeAll(async () => {
  browser = await chromium.launch({
    executablePath: chromiumPath(),
    // Without the background-networking flags Chromium tries to reach its services at start.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

afterAll(async () => {
  await browser?.close();
});

describe('report.html in Chromium', () => {
  it('draws every chart with marks, logs no error and requests nothing from the network', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'instlab-report-'));
    const runPath = join(FIXTURES, 'small-head.json');
    const written = await writeCharts(runPath, await readResults(runPath), { base: join(FIXTURES, 'small-base.json'), out: folder });
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(String(error)));
    page.on('request', (request) => requests.push(request.url()));
    await page.goto(pathToFileURL(written.report).href);
    await page.waitForFunction('window.instlabReport && window.instlabReport.done === true', undefined, { timeout: 30_000 });
    const state = (await page.evaluate(`({
      report: window.instlabReport,
      charts: [...document.querySelectorAll('.chart')].map((div) => ({
        id: div.id,
        marks: div.querySelectorAll('svg.marks path, svg.marks line, svg.marks rect, svg.marks text').length,
      })),
    })`)) as { report: { rendered: string[]; failed: string[] }; charts: { id: string; marks: number }[] };
    expect(state.report.failed).toEqual([]);
    expect(state.report.rendered.sort()).toEqual(written.charts.map((c) => c.name).sort());
    expect(state.charts.map((c) => c.id)).toEqual(written.charts.map((c) => `chart-${c.name}`));
    for (const chart of state.charts) expect(chart.marks, chart.id).toBeGreaterThan(20);
    expect(errors).toEqual([]);
    expect(requests.filter((url) => url !== pathToFileURL(written.report).href && !url.startsWith('data:'))).toEqual([]);
    mkdirSync(OUTPUT, { recursive: true });
    await page.screenshot({ path: join(OUTPUT, 'report.png'), fullPage: true });
    expect(existsSync(join(OUTPUT, 'report.png'))).toBe(true);
    await page.close();
  });
});
