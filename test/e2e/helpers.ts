import AxeBuilder from '@axe-core/playwright';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { adminDistDir } from '../../src/http/admin.route';

const ROOT = join(__dirname, '..', '..');

/**
 * The content security policy the admin app must work under: helmet's default (what the server sends
 * in production). The tests add it to every page they load, so an inline script would fail them.
 */
export const STRICT_CSP = [
  "default-src 'self'",
  "base-uri 'self'",
  "font-src 'self' https: data:",
  "form-action 'self'",
  "frame-ancestors 'self'",
  "img-src 'self' data:",
  "object-src 'none'",
  "script-src 'self'",
  "script-src-attr 'none'",
  "style-src 'self' https: 'unsafe-inline'",
].join('; ');

function newest(path: string): number {
  if (!existsSync(path)) return 0;
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((n) => newest(join(path, n))));
}

/** Builds the admin app (codegen + vite) when it is missing or older than its sources. */
export function ensureAdminBuilt(): void {
  const stamp = join(adminDistDir(), 'index.html');
  const sources = Math.max(newest(join(ROOT, 'admin', 'src')), newest(join(ROOT, 'admin', 'index.html')), newest(join(ROOT, 'src', 'schema', 'schema.graphql')));
  if (existsSync(stamp) && statSync(stamp).mtimeMs >= sources) return;
  execFileSync('npm', ['run', '--silent', 'build:admin'], { cwd: ROOT, stdio: 'inherit' });
}

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export interface Ui {
  context: BrowserContext;
  page: Page;
  /** Console errors and CSP violations seen so far (the tests expect none). */
  problems: string[];
}

/** One context and page for the whole file, every document served with STRICT_CSP. */
export async function openUi(browser: Browser, baseUrl: string): Promise<Ui> {
  const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1280, height: 800 }, locale: 'fr-FR', timezoneId: 'America/New_York', acceptDownloads: true });
  await context.route('**/*', async (route) => {
    if (route.request().resourceType() !== 'document') return route.continue();
    const response = await route.fetch();
    return route.fulfill({ response, headers: { ...response.headers(), 'content-security-policy': STRICT_CSP } });
  });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of (400|401|403|404)/.test(m.text())) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(String(e)));
  return { context, page, problems };
}

/** Logs in through the form (the app starts at the login page when no token is kept). */
export async function login(page: Page, email: string, password: string): Promise<void> {
  await page.goto('/admin/');
  await page.evaluate('localStorage.clear()');
  await page.goto('/admin/');
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Mot de passe').fill(password);
  await page.getByRole('button', { name: 'Connexion' }).click();
  // Logged in, or refused (then say why, rather than time out); generous under a loaded CI machine.
  const loggedIn = page.getByRole('button', { name: 'Déconnexion' });
  const refused = page.getByRole('alert');
  await loggedIn.or(refused).first().waitFor({ timeout: 60_000 });
  if (!(await loggedIn.isVisible())) throw new Error(`login as ${email} refused: ${await refused.first().innerText()}`);
}

/** The menu entries shown (navigation landmark). */
export async function menu(page: Page): Promise<string[]> {
  return page.getByRole('navigation').getByRole('link').allInnerTexts();
}

/** Clicks a menu entry (the menu is visible at desktop width). */
export async function go(page: Page, label: string): Promise<void> {
  await page.getByRole('navigation').getByRole('link', { name: label, exact: true }).click();
}

/** axe on the current page: no serious or critical violation. */
export async function expectAccessible(page: Page, screen: string): Promise<void> {
  const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  const bad = r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(bad.map((v) => `${screen}: ${v.id} (${v.impact}) ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`)).toEqual([]);
}

/** At 360 px the page must not scroll sideways; then back to desktop width. */
export async function expectFitsPhone(page: Page, screen: string): Promise<void> {
  await page.setViewportSize({ width: 360, height: 740 });
  await page.waitForTimeout(400); // the menu's slide transition
  const width = await page.evaluate<number>('document.documentElement.scrollWidth');
  expect(`${screen}: ${width}px`).toBe(`${screen}: 360px`);
  if (process.env.SCREENSHOTS === '1') await shot(page, `${screen}-360`);
  await page.setViewportSize({ width: 1280, height: 800 });
}

/** docs/screenshots/<name>.png, written only with SCREENSHOTS=1 (they are committed). */
export async function shot(page: Page, name: string): Promise<void> {
  if (process.env.SCREENSHOTS !== '1') return;
  const dir = join(ROOT, 'docs', 'screenshots');
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`) });
}

/** The checks every screen gets: accessible, fits 360 px, screenshot. */
export async function checkScreen(page: Page, name: string): Promise<void> {
  await shot(page, name);
  await expectAccessible(page, name);
  await expectFitsPhone(page, name);
}
