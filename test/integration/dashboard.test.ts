import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import type { HookStatus } from '../../src/client';
import type { HookState } from '../../src/domain/hook';
import { TestReceiver } from '../support/receiver';
import { TestStack } from '../support/stack';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOTS = path.resolve('test-artifacts', 'dashboard');
const LAPTOP = { width: 1366, height: 900 };
const PHONE = { width: 390, height: 844 };
/** The pages poll every few seconds; visibility trails a change by a moment more. */
const SEEN_WITHIN_MS = 20_000;

describe('dashboard', () => {
  let stack: TestStack;
  let receiver: TestReceiver;
  /** What `before` started, closed by `after` in reverse: a failed start (no Chromium, say) closes only that. */
  const started: { close: () => Promise<void> }[] = [];
  let context: BrowserContext;
  let page: Page;
  let base: string;
  let apiKey: string;
  /** /flaky answers 500 until the test fixes it. */
  let flakyFixed = false;
  const requestedUrls: string[] = [];
  const pageErrors: string[] = [];
  let hooks: Record<'delivered' | 'failed' | 'later' | 'movable', HookState>;

  const api = () => stack.api('dash');
  const until = (status: HookStatus) => (hook: HookState) => hook.status === status;
  const shoot = async (name: string, target: Page = page) => {
    await target.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
  };
  const open = async (route: string) => {
    await page.goto(base + route);
  };

  before(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `the dashboard tests drive Chromium at ${CHROMIUM}, which is missing: install Debian's chromium package`,
      );
    }
    receiver = await TestReceiver.start((arrival) =>
      arrival.path.startsWith('/flaky') && !flakyFixed
        ? { status: 500, body: 'receiver down' }
        : { status: 200 },
    );
    stack = await TestStack.start([
      {
        id: 'dash',
        baseUrl: receiver.url,
        // Fails fast: two attempts 200 ms apart.
        retry: { strategy: 'fixed', delaySecs: 0.2, jitter: 0, maxAttempts: 2 },
        // One endpoint for the receiver, whatever the path.
        endpoints: { groupBy: 'origin' },
      },
    ]);
    started.push(receiver, stack);
    apiKey = stack.projects.dash?.apiKey ?? '';
    await stack.app.listen({ host: '127.0.0.1', port: 0 });
    const address = stack.app.server.address();
    assert.ok(address && typeof address === 'object');
    base = `http://127.0.0.1:${address.port}`;

    hooks = {
      delivered: await stack.schedule('dash', { path: '/orders/1', postIn: '0s', data: { orderId: 1 } }),
      failed: await stack.schedule('dash', { path: '/flaky/2', postIn: '0s', data: { orderId: 2 } }),
      later: await stack.schedule('dash', { path: '/orders/3', postIn: '2h', data: { orderId: 3 } }),
      movable: await stack.schedule('dash', { path: '/invoices/4', postIn: '3h', data: { invoice: 4 } }),
    };
    await stack.waitForHook('dash', hooks.delivered.id, until('completed'));
    await stack.waitForHook('dash', hooks.failed.id, until('failed'));
    // Lists come from visibility, which trails the hooks: wait until it shows both finished hooks.
    const deadline = Date.now() + SEEN_WITHIN_MS;
    while ((await api().hooks.list({ status: ['completed', 'failed'] })).data.length < 2) {
      if (Date.now() > deadline) throw new Error('visibility did not catch up');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }

    await mkdir(SCREENSHOTS, { recursive: true });
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
    started.push(browser);
    context = await browser.newContext({ viewport: LAPTOP });
    page = await context.newPage();
    page.setDefaultTimeout(SEEN_WITHIN_MS);
    page.on('request', (request) => requestedUrls.push(request.url()));
    page.on('pageerror', (error) => pageErrors.push(error.message));
  });

  after(async () => {
    for (const resource of started.reverse()) await resource.close();
  });

  it('serves the page and its assets without an API key, outside the OpenAPI document', async () => {
    const html = await fetch(`${base}/ui/hooks/anything`);
    assert.equal(html.status, 200);
    assert.match(html.headers.get('content-type') ?? '', /^text\/html/);
    assert.equal(html.headers.get('cache-control'), 'no-cache');
    const text = await html.text();
    const script = /src="(\/ui\/app\.js\?v=[\w-]+)"/.exec(text)?.[1];
    const style = /href="(\/ui\/app\.css\?v=[\w-]+)"/.exec(text)?.[1];
    assert.ok(script && style, text);
    const js = await fetch(base + script);
    assert.match(js.headers.get('content-type') ?? '', /^text\/javascript/);
    assert.match(js.headers.get('cache-control') ?? '', /immutable/);
    // Small enough to load at once: Preact, the router, uPlot and the pages.
    assert.ok((await js.arrayBuffer()).byteLength < 120_000);
    assert.match((await fetch(base + style)).headers.get('content-type') ?? '', /^text\/css/);
    const document = (await (await fetch(`${base}/openapi.json`)).json()) as {
      paths: Record<string, unknown>;
    };
    assert.deepEqual(
      Object.keys(document.paths).filter((route) => route.startsWith('/ui')),
      [],
    );
  });

  it('refuses a wrong API key with a clear message', async () => {
    await open('/ui');
    await page.getByLabel('Project API key').fill('hr_not-a-key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'This API key was refused' }).waitFor();
    assert.equal(await page.evaluate<number>('sessionStorage.length'), 0);
    await shoot('sign-in-refused');
  });

  it('signs in and shows the overview', async () => {
    await page.getByLabel('Project API key').fill(apiKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    assert.equal(await page.evaluate<string | null>("sessionStorage.getItem('hookrelay.apiKey')"), apiKey);
    assert.equal(await page.evaluate<number>('localStorage.length'), 0);
    const counts = page.getByRole('region', { name: 'Hooks by status' });
    await counts.getByRole('link', { name: /^1 failed$/ }).waitFor();
    await counts.getByRole('link', { name: /^2 pending$/ }).waitFor();
    await page.getByRole('heading', { name: 'The last hour' }).waitFor();
    await shoot('overview');
  });

  it('lists hooks and filters them by status and path prefix', async () => {
    await page.getByRole('link', { name: 'Hooks', exact: true }).click();
    const rows = page.locator('tbody tr');
    await page.getByRole('link', { name: hooks.movable.id }).waitFor();
    assert.equal(await rows.count(), 4);
    await shoot('hooks');

    await page.getByRole('checkbox', { name: 'failed' }).check();
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/status=failed/);
    await page.getByRole('link', { name: hooks.failed.id }).waitFor();
    await page.getByRole('link', { name: hooks.delivered.id }).waitFor({ state: 'detached' });
    assert.equal(await rows.count(), 1);

    await page.getByRole('button', { name: 'Clear' }).click();
    await page.getByLabel('Path prefix').fill('/orders/');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/pathPrefix=%2Forders%2F/);
    await page.getByRole('link', { name: hooks.movable.id }).waitFor({ state: 'detached' });
    const shown = await page.locator('tbody tr td:first-child').allInnerTexts();
    assert.deepEqual(shown.sort(), [hooks.delivered.id, hooks.later.id].sort());
  });

  it('finds a hook by id and shows its attempts, data and signed request', async () => {
    await page.getByLabel('Hook id').fill(hooks.failed.id);
    await page.getByRole('button', { name: 'Open hook' }).click();
    await page.waitForURL(`${base}/ui/hooks/${hooks.failed.id}`);
    await page.getByRole('heading', { name: `Hook ${hooks.failed.id} failed` }).waitFor();
    const attempts = page.getByRole('region', { name: 'Attempts' }).locator('li');
    assert.equal(await attempts.count(), 2);
    assert.match(await attempts.first().innerText(), /HTTP 500/);
    assert.match(await page.getByRole('region', { name: 'Data' }).innerText(), /"orderId": 2/);
    const request = page.getByRole('region', { name: 'Signed request' });
    assert.match(await request.innerText(), /webhook-signature\s+v1,/);
    const { links } = await api().hooks.get(hooks.failed.id);
    assert.equal(
      await page.getByRole('link', { name: 'Workflow history in the Temporal Web UI' }).count(),
      links.temporalUi ? 1 : 0,
    );
  });

  it('retries a failed hook once the receiver is fixed, and shows it complete', async () => {
    flakyFixed = true;
    await page.getByRole('button', { name: 'Retry' }).click();
    const dialog = page.getByRole('dialog', { name: 'Retry this hook?' });
    await dialog.getByRole('button', { name: 'Retry now' }).click();
    await page.getByRole('status').filter({ hasText: 'Retried' }).waitFor();
    await page.getByRole('heading', { name: `Hook ${hooks.failed.id} completed` }).waitFor();
    const attempts = page.getByRole('region', { name: 'Attempts' }).locator('li');
    assert.equal(await attempts.count(), 3);
    assert.match(await attempts.first().innerText(), /HTTP 200/);
    assert.equal((await api().hooks.get(hooks.failed.id)).status, 'completed');
    await shoot('hook');
  });

  it('replays a finished hook into a new one', async () => {
    await page.getByRole('button', { name: 'Replay' }).click();
    await page
      .getByRole('dialog', { name: 'Replay this hook?' })
      .getByRole('button', { name: 'Replay now' })
      .click();
    const outcome = await page.getByRole('status').filter({ hasText: 'Replayed as' }).innerText();
    const copyId = /Replayed as (\S+)\./.exec(outcome)?.[1];
    assert.ok(copyId && copyId !== hooks.failed.id, outcome);
    await page.getByRole('link', { name: 'Open it' }).click();
    await page.getByRole('heading', { name: `Hook ${copyId} completed` }).waitFor();
    assert.equal(receiver.arrivalsFor(copyId).length, 1);
  });

  it('cancels a pending hook', async () => {
    await open(`/ui/hooks/${hooks.later.id}`);
    await page.getByRole('button', { name: 'Cancel hook' }).click();
    const dialog = page.getByRole('dialog', { name: 'Cancel this hook?' });
    // Escape closes the dialog without acting, and focus goes back to the button.
    await dialog.waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(
      await page.evaluate<string | undefined>('document.activeElement?.textContent'),
      'Cancel hook',
    );
    assert.equal((await api().hooks.get(hooks.later.id)).status, 'pending');

    await page.keyboard.press('Enter');
    await dialog.getByRole('button', { name: 'Cancel the hook' }).click();
    await page.getByRole('heading', { name: `Hook ${hooks.later.id} cancelled` }).waitFor();
    assert.equal((await api().hooks.get(hooks.later.id)).status, 'cancelled');
  });

  it('reschedules a pending hook to a time entered in the browser', async () => {
    await open(`/ui/hooks/${hooks.movable.id}`);
    await page.getByRole('button', { name: 'Reschedule' }).click();
    const dialog = page.getByRole('dialog', { name: 'Reschedule this hook' });
    // The browser runs in this process's time zone, so a local wall-clock time means the same instant here.
    const due = new Date(Date.now() + 5 * 3600_000);
    due.setSeconds(0, 0);
    const local = new Date(due.getTime() - due.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
    await dialog.getByLabel('New due time').fill(local);
    await dialog.getByRole('button', { name: 'Reschedule' }).click();
    await page.getByRole('status').filter({ hasText: 'Rescheduled' }).waitFor();
    assert.equal((await api().hooks.get(hooks.movable.id)).postAt, due.toISOString());
  });

  it('shows the endpoints and pauses and resumes one', async () => {
    await page.getByRole('link', { name: 'Endpoints' }).click();
    const row = page.getByRole('row', { name: new RegExp(receiver.url.replace(/[.:/]/g, '\\$&')) });
    await row.waitFor();
    assert.match(await row.innerText(), /active/);
    await shoot('endpoints');

    await row.getByRole('button', { name: 'Pause' }).click();
    const pause = page.getByRole('dialog', { name: /^Pause / });
    await pause.getByLabel('Note (optional)').fill('receiver maintenance');
    await pause.getByRole('button', { name: 'Pause' }).click();
    await page.getByRole('status').filter({ hasText: 'Paused' }).waitFor();
    await row.getByText('receiver maintenance').waitFor();
    const [endpoint] = (await api().endpoints.list()).data;
    assert.equal(endpoint?.state, 'paused');
    assert.equal(endpoint.stateNote, 'receiver maintenance');

    await row.getByRole('button', { name: 'Resume' }).click();
    await page
      .getByRole('dialog', { name: /^Resume / })
      .getByRole('button', { name: 'Resume' })
      .click();
    await page.getByRole('status').filter({ hasText: 'Resumed' }).waitFor();
    await row.getByRole('button', { name: 'Pause' }).waitFor();
    assert.equal((await api().endpoints.get(endpoint.id)).state, 'active');
  });

  it('fits a phone screen', async () => {
    const phone = await context.newPage();
    await phone.setViewportSize(PHONE);
    // The same tab session: sessionStorage is per tab, so a new tab signs in again.
    await phone.goto(`${base}/ui`);
    await phone.getByLabel('Project API key').fill(apiKey);
    await phone.getByRole('button', { name: 'Sign in' }).click();
    await phone.getByRole('heading', { name: 'Overview' }).waitFor();
    await phone.goto(`${base}/ui/hooks/${hooks.failed.id}`);
    await phone.getByRole('heading', { name: `Hook ${hooks.failed.id} completed` }).waitFor();
    await shoot('hook-phone', phone);
    const overflow = await phone.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    assert.ok(overflow <= 0, `the page is ${overflow}px wider than the phone`);
    await phone.close();
  });

  it('signs out, and never put the key in a URL or met a script error', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Project API key').waitFor();
    assert.equal(await page.evaluate<number>('sessionStorage.length'), 0);
    assert.deepEqual(
      requestedUrls.filter((url) => url.includes(apiKey)),
      [],
    );
    assert.deepEqual(pageErrors, []);
  });
});
