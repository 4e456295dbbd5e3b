// Private CI in real Chromium (issue 20): the lead's recipe form, the readiness matrix with test results and the
// run page of a failing branch, at 1280 px and 390 px wide (screenshots in test-artifacts/screenshots).
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { describeInBrowser, launchBrowser, screenshot, signedInPage } from '../../testing/browser.js';
import { TEST_PASSWORD } from '../../testing/harness.js';
import { CI_STABLE, createCiWorld, type CiWorld } from '../testing/ci-world.js';

describeInBrowser('private CI in a real browser', () => {
  let w: CiWorld;
  let browser: Browser;
  let baseUrl: string;

  beforeAll(async () => {
    w = await createCiWorld('sqlite');
    expect((await w.clients.lead!.json('PUT', '/api/v1/projects/calc/test-recipe', { test_command: `${w.python.executable} -m pytest -q -p no:cacheprovider`, time_limit_seconds: 120, artifact_paths: ['calc/__init__.py'], require_passing: true })).statusCode).toBe(200);
    expect((await w.clients.lead!.json('PUT', '/api/v1/projects/port/test-recipe', { test_command: 'node --test', time_limit_seconds: 120 })).statusCode).toBe(200);
    for (const [project, mbox] of [['calc', w.fixes.py], ['port', w.fixes.js]] as const) {
      const res = await w.clients.developer!.json('POST', `/api/v1/reports/${w.ref}/patches`, { project, branches: ['master', CI_STABLE], mbox });
      expect(res.statusCode, res.body).toBe(201);
    }
    await w.drain();
    await w.t.app.listen({ port: 0, host: '127.0.0.1' });
    const address = w.t.app.server.address();
    baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    w.t.ctx.config.publicUrl = baseUrl;
    browser = await launchBrowser();
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await w?.close();
  });

  for (const width of [1280, 390]) {
    it(`recipe form, matrix and run page at ${width} px`, async () => {
      const viewport = { width, height: 900 };
      const lead = await signedInPage(browser, baseUrl, 'lead', { password: TEST_PASSWORD, viewport });
      await lead.goto(`${baseUrl}/projects/calc/tests`);
      expect(await lead.locator('table.ci-recipes').textContent()).toContain('-m pytest -q');
      expect(await lead.locator('#f-test_command').inputValue()).toContain('-m pytest -q');
      await screenshot(lead, `ci-01-recipe-${width}`);
      await lead.goto(`${baseUrl}/projects/calc`);
      expect(await lead.locator('section[aria-labelledby="private-ci-heading"] table.ci-recipes').textContent()).toContain('-m pytest -q');
      expect(await lead.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(width);
      await screenshot(lead, `ci-00-project-${width}`);

      const dev = await signedInPage(browser, baseUrl, 'developer', { password: TEST_PASSWORD, viewport });
      await dev.goto(`${baseUrl}/reports/${w.ref}/patches`);
      const tests = await dev.locator('td.tests').allTextContents();
      expect(tests.filter((t) => t.includes('tests pass'))).toHaveLength(2);
      expect(tests.filter((t) => t.includes('tests fail'))).toHaveLength(2);
      await screenshot(dev, `ci-02-matrix-${width}`);

      await dev.locator('td.tests a.run-link', { hasText: 'tests fail' }).first().click();
      await dev.waitForLoadState('load');
      expect(await dev.locator('pre.ci-log').textContent()).toContain('test_port_zero_still_accepted');
      // The log scrolls inside its box; the page itself never gets wider than the screen.
      expect(await dev.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(width);
      await screenshot(dev, `ci-03-run-${width}`);
      await lead.context().close();
      await dev.context().close();
    }, 120_000);
  }
});
