// In real Chromium (issue 15 item 6): at a 390 px phone width no page is wider than the screen (the header
// collapses into a Menu that opens without JavaScript, tables scroll inside their card), and at 1280 px the
// links sit in the bar. Pages: home, report form, a report as the VMT, the VMT queue, an advisory.
// Screenshots go to test-artifacts/screenshots/responsive-*.png.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { describeInBrowser, launchBrowser, screenshot, signedInPage, startLiveServer, type LiveServer } from '../testing/browser.js';
import { fixturePath } from '../testing/fixture-files.js';
import { createAccount } from '../accounts/users.js';
import { createProject } from '../projects/projects.js';
import { newTotpSecret } from '../accounts/totp.js';
import { systemScope } from '../context.js';
import { receiveReport } from '../reports/intake.js';
import { importOssaDirectory } from '../advisories/import.js';

const PASSWORD = 'correct horse battery staple';
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };

describeInBrowser('the layout on a phone and a desktop', () => {
  let server: LiveServer;
  let browser: Browser;
  let totpSecret = '';
  let reportRef = '';
  let advisoryRef = '';
  let corpusDir = '';

  beforeAll(async () => {
    server = await startLiveServer();
    browser = await launchBrowser();
    const scope = systemScope(server.ctx);
    for (const slug of ['nova', 'glance', 'swift', 'keystone', 'neutron']) {
      await createProject(scope, { slug, name: slug[0]!.toUpperCase() + slug.slice(1), description: `${slug} service`, branches: ['master', 'stable/2026.1'] });
    }
    const vera = await createAccount(scope, { username: 'vera', email: 'vera@example.org', displayName: 'Vera Vulnerability-Manager', password: PASSWORD, roles: ['vmt', 'admin'] });
    totpSecret = newTotpSecret();
    await server.ctx.storage.db.updateTable('users').set({ totp_secret: totpSecret, totp_enabled_at: new Date().toISOString() }).where('id', '=', vera.id).execute();
    const { report } = await receiveReport(
      scope,
      {
        title: 'Nova metadata API leaks instance passwords to other tenants when X-Instance-ID is forged',
        description: 'Run the attached poc.py against https://nova.example/ — a very long line without spaces: ' + 'A'.repeat(120),
        projects: ['nova', 'glance', 'swift'],
        email: 'finder-with-a-long-address@example.net',
      },
      [],
      'web',
    );
    reportRef = report.ref;
    corpusDir = mkdtempSync(path.join(os.tmpdir(), 'cordon-ossa-'));
    copyFileSync(fixturePath('ossa', 'OSSA-2016-007.yaml'), path.join(corpusDir, 'OSSA-2016-007.yaml'));
    await importOssaDirectory(scope, corpusDir);
    advisoryRef = 'OSSA-2016-007';
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (corpusDir) rmSync(corpusDir, { recursive: true, force: true });
  });

  const pages = () => [
    ['home', '/'],
    ['report-form', '/report'],
    ['report-vmt', `/reports/${reportRef}`],
    ['queue', '/vmt'],
    ['advisory', `/advisories/${advisoryRef}`],
  ] as const;

  async function widths(page: Page): Promise<{ scroll: number; viewport: number }> {
    // Strings, not functions: this project's TypeScript has no DOM library; the code runs in the page.
    return page.evaluate<{ scroll: number; viewport: number }>('({ scroll: document.documentElement.scrollWidth, viewport: window.innerWidth })');
  }

  async function sticksOut(page: Page, width: number): Promise<string[]> {
    return page.evaluate<string[]>(`[...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > ${width} && !e.closest('details:not([open])'))
      .slice(0, 5)
      .map((e) => e.tagName.toLowerCase() + '.' + e.className + ' in ' + e.parentElement.tagName.toLowerCase() + '.' + e.parentElement.className)`);
  }

  it.each([
    ['phone', PHONE],
    ['desktop', DESKTOP],
  ] as const)('no page is wider than the %s screen', async (name, viewport) => {
    const page = await signedInPage(browser, server.baseUrl, 'vera', { password: PASSWORD, totpSecret, viewport });
    for (const [label, url] of pages()) {
      const res = await page.goto(`${server.baseUrl}${url}`);
      expect(res?.status(), url).toBe(200);
      await screenshot(page, `responsive-${name}-${label}`);
      const w = await widths(page);
      expect(w.viewport).toBe(viewport.width);
      // The message names what sticks out, so a failure says where to look.
      const wide = w.scroll > viewport.width ? await sticksOut(page, viewport.width) : [];
      expect(w.scroll, `${url} at ${viewport.width} px: ${wide.join(', ')}`).toBeLessThanOrEqual(viewport.width);
      // On a phone the bar shows only the Menu; on a desktop the links themselves.
      expect(await page.getByRole('link', { name: 'Queue' }).isVisible(), url).toBe(name === 'desktop');
      expect(await page.locator('summary', { hasText: 'Menu' }).isVisible(), url).toBe(name === 'phone');
    }
    await page.context().close();
  }, 120_000);

  it('opens the phone menu without JavaScript, and its links are readable on the dark bar', async () => {
    const context = await browser.newContext({ viewport: PHONE, javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${server.baseUrl}/`);
    const report = page.getByRole('link', { name: 'Report a vulnerability' });
    // The home card's button is visible; the header's item is folded away until the menu opens.
    await expect(report.count()).resolves.toBe(1);
    await page.locator('summary', { hasText: 'Menu' }).click();
    expect(await page.locator('details.nav-menu').getAttribute('open')).toBe('');
    await screenshot(page, 'responsive-phone-menu-open');
    const inMenu = page.locator('details.nav-menu nav').getByRole('link', { name: 'Contact' });
    expect(await inMenu.isVisible()).toBe(true);
    expect(await page.locator('details.nav-menu nav').getByRole('link', { name: 'Report a vulnerability' }).isVisible()).toBe(true);
    // The link text sits on the header's dark background, not on the light page.
    const colours = await page.evaluate<{ inside: boolean; text: string; bg: string }>(`(() => {
      const a = [...document.querySelectorAll('details.nav-menu nav a')].find((x) => x.textContent.trim() === 'Contact');
      const header = a.closest('header');
      const box = a.getBoundingClientRect();
      const bar = header.getBoundingClientRect();
      return { inside: box.bottom <= bar.bottom && box.right <= bar.right, text: getComputedStyle(a).color, bg: getComputedStyle(header).backgroundColor };
    })()`);
    expect(colours.inside).toBe(true);
    // Light text (#dce9f7) on the dark bar (#17324d): about 11:1.
    expect(colours.bg).toBe('rgb(23, 50, 77)');
    expect(colours.text).toBe('rgb(220, 233, 247)');
    expect(await widths(page)).toEqual({ scroll: PHONE.width, viewport: PHONE.width });
    await page.locator('details.nav-menu nav').getByRole('link', { name: 'Report a vulnerability' }).click();
    await page.waitForURL('**/report');
    expect(await page.locator('h1').textContent()).toBe('Report a vulnerability');
    await context.close();
  });
});
