import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import type { HookStatus } from '../../src/client';
import type { HookState } from '../../src/domain/hook';
import { hookWorkflowId } from '../../src/workflows/hook-record';
import { TestReceiver } from '../support/receiver';
import { TestStack } from '../support/stack';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOTS = path.resolve('test-artifacts', 'dashboard');
const LAPTOP = { width: 1366, height: 900 };
const PHONE = { width: 390, height: 844 };
/** The pages poll every few seconds; visibility trails a change by a moment more. */
const SEEN_WITHIN_MS = 20_000;
/** Only ever a link's target here: nothing listens there. */
const TEMPORAL_WEB_UI = 'http://127.0.0.1:8233';
/** What /ui sends as its Content-Security-Policy: its own files, and requests to this API only. */
const PAGE_POLICY = {
  'default-src': "'none'",
  'script-src': "'self'",
  'style-src': "'self' 'unsafe-inline'",
  'img-src': "'self' data:",
  'connect-src': "'self'",
  'base-uri': "'none'",
  'form-action': "'self'",
  'frame-ancestors': "'none'",
};

/** A Content-Security-Policy header as directive → sources. */
function policyOf(header: string | null): Record<string, string> {
  return Object.fromEntries(
    (header ?? '').split(';').map((directive) => {
      const [name = '', ...sources] = directive.trim().split(/\s+/);
      return [name, sources.join(' ')];
    }),
  );
}

/** An instant as a date-time input takes it. The browser runs in this process's time zone. */
function localInput(time: Date): string {
  return new Date(time.getTime() - time.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

/** A time `hours` from now, to the minute: what a date-time input can hold. */
function hoursFromNow(hours: number): Date {
  const time = new Date(Date.now() + hours * 3600_000);
  time.setSeconds(0, 0);
  return time;
}

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
  /** Also checks that the page photographed holds the API key nowhere: not in its text, not in an attribute. */
  const shoot = async (name: string, target: Page = page) => {
    await target.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
    const html = await target.evaluate<string>('document.documentElement.outerHTML');
    assert.ok(!html.includes(apiKey), `the ${name} page shows the API key`);
  };
  /** The receiver's one endpoint in the endpoints table. */
  const endpointRow = (target: Page = page) =>
    target.getByRole('row', { name: new RegExp(receiver.url.replace(/[.:/]/g, '\\$&')) });
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
    stack = await TestStack.start(
      [
        {
          id: 'dash',
          baseUrl: receiver.url,
          // Fails fast: two attempts 200 ms apart.
          retry: { strategy: 'fixed', delaySecs: 0.2, jitter: 0, maxAttempts: 2 },
          // One endpoint for the receiver, whatever the path. Its first three attempts, one delivered and two
          // failed in whatever order, are too low a success rate: it is failing, an endpoint in trouble.
          endpoints: { groupBy: 'origin', alertRules: { minAttempts: 3, minSuccessRate: 0.9 } },
        },
      ],
      {},
      { temporal: { webUiUrl: TEMPORAL_WEB_UI } },
    );
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
    let text = '';
    for (const route of ['/ui', '/ui/hooks/anything']) {
      const html = await fetch(base + route);
      assert.equal(html.status, 200);
      assert.equal(html.headers.get('content-type'), 'text/html; charset=utf-8');
      assert.equal(html.headers.get('cache-control'), 'no-cache');
      assert.deepEqual(policyOf(html.headers.get('content-security-policy')), PAGE_POLICY);
      assert.equal(html.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(html.headers.get('referrer-policy'), 'no-referrer');
      text = await html.text();
    }
    const script = /src="(\/ui\/app\.js\?v=[\w-]+)"/.exec(text)?.[1];
    const style = /href="(\/ui\/app\.css\?v=[\w-]+)"/.exec(text)?.[1];
    assert.ok(script && style, text);
    const js = await fetch(base + script);
    assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.equal(js.headers.get('x-content-type-options'), 'nosniff');
    assert.match(js.headers.get('cache-control') ?? '', /immutable/);
    // Small enough to load at once: Preact, the router, uPlot and the pages.
    assert.ok((await js.arrayBuffer()).byteLength < 120_000);
    const css = await fetch(base + style);
    assert.equal(css.headers.get('content-type'), 'text/css; charset=utf-8');
    assert.equal(css.headers.get('x-content-type-options'), 'nosniff');
    assert.match(css.headers.get('cache-control') ?? '', /immutable/);
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
    await page
      .getByRole('region', { name: 'Overdue' })
      .getByText('No hook is past due: the workers are keeping up.')
      .waitFor();
    // The receiver's endpoint failed two of its three attempts: it is in trouble, with its figures.
    const trouble = page.getByRole('region', { name: 'Endpoints in trouble' }).getByRole('listitem');
    await trouble.filter({ hasText: 'failing' }).waitFor();
    assert.equal(await trouble.count(), 1);
    assert.match(await trouble.innerText(), /active\s+failing\s+33\.3 % success in the last hour/);
    assert.equal(await trouble.getByRole('link').innerText(), receiver.url);
    await shoot('overview');
  });

  it('lists hooks and filters them by status, path prefix and due time', async () => {
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
    // The filtered list comes in one answer: once one of its hooks is shown, all of them are.
    await page.getByRole('link', { name: hooks.movable.id }).waitFor({ state: 'detached' });
    await page.getByRole('link', { name: hooks.later.id }).waitFor();
    const shown = () => page.locator('tbody tr td:first-child').allInnerTexts();
    assert.deepEqual((await shown()).sort(), [hooks.delivered.id, hooks.later.id].sort());

    // A due-time range, entered in the browser's time zone: the two hooks due in 2 and 3 hours.
    await page.getByRole('button', { name: 'Clear' }).click();
    const due = page.getByRole('group', { name: 'Due' });
    const [from, until] = [hoursFromNow(1), hoursFromNow(4)];
    await due.getByLabel('from').fill(localInput(from));
    await due.getByLabel('until').fill(localInput(until));
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/postAtAfter=/);
    const query = new URL(page.url()).searchParams;
    assert.equal(query.get('postAtAfter'), from.toISOString());
    assert.equal(query.get('postAtBefore'), until.toISOString());
    await page.getByRole('link', { name: hooks.delivered.id }).waitFor({ state: 'detached' });
    await page.getByRole('link', { name: hooks.later.id }).waitFor();
    assert.deepEqual((await shown()).sort(), [hooks.later.id, hooks.movable.id].sort());
    // The fields show the range back, as the URL has it.
    assert.equal(await due.getByLabel('from').inputValue(), localInput(from));
  });

  it('shows the whole list when the URL holds a time that is no time', async () => {
    await open('/ui/hooks?postAtAfter=x&createdBefore=2026-13-45');
    await page.getByRole('link', { name: hooks.movable.id }).waitFor();
    assert.equal(await page.locator('tbody tr').count(), 4);
    assert.equal(await page.getByRole('group', { name: 'Due' }).getByLabel('from').inputValue(), '');
    assert.equal(await page.getByRole('alert').count(), 0);
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
    // The request of the latest attempt, signed as it was sent.
    const request = page.getByRole('region', { name: 'Signed request' });
    assert.match(await request.innerText(), /What attempt 2 sent at /);
    assert.match(await request.innerText(), /webhook-signature\s+v1,/);
    assert.equal(
      await page.getByRole('link', { name: 'Workflow history in the Temporal Web UI' }).getAttribute('href'),
      `${TEMPORAL_WEB_UI}/namespaces/hookrelay-test/workflows/${encodeURIComponent(hookWorkflowId('dash', hooks.failed.id))}`,
    );
    await shoot('hook-failed');
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
    // The copy's page, with nothing of the replayed hook's: not its outcome, status, attempts or buttons.
    await page.getByRole('heading', { name: new RegExp(`^Hook ${copyId}`) }).waitFor();
    assert.equal(await page.getByText('Replayed as').count(), 0);
    await receiver.waitFor(1, SEEN_WITHIN_MS, copyId);
    await stack.waitForHook('dash', copyId, until('completed'));
    await page.getByRole('heading', { name: `Hook ${copyId} completed` }).waitFor();
    const attempts = page.getByRole('region', { name: 'Attempts' }).locator('li');
    assert.equal(await attempts.count(), 1);
    assert.match(
      await page.getByRole('region', { name: 'Signed request' }).innerText(),
      /What attempt 1 sent at /,
    );
    assert.equal(receiver.arrivalsFor(copyId).length, 1);
  });

  it('cancels a pending hook', async () => {
    await open(`/ui/hooks/${hooks.later.id}`);
    // Not attempted yet: what the first attempt sends, its signature made only when it is sent.
    const request = page.getByRole('region', { name: 'Signed request' });
    assert.match(await request.innerText(), /What the first attempt will send/);
    assert.match(await request.innerText(), /webhook-signature\s+\(issued when sent\)/);
    await shoot('hook-pending');
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
    const field = dialog.getByLabel('New due time');
    assert.equal(await field.inputValue(), localInput(new Date(hooks.movable.postAt)));
    const due = hoursFromNow(5);
    await field.fill(localInput(due));
    await dialog.getByRole('button', { name: 'Reschedule' }).click();
    await page.getByRole('status').filter({ hasText: 'Rescheduled' }).waitFor();
    assert.equal((await api().hooks.get(hooks.movable.id)).postAt, due.toISOString());
  });

  it('shows the endpoints and pauses and resumes one', async () => {
    await page.getByRole('link', { name: 'Endpoints' }).click();
    const row = endpointRow();
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

  it('says a hook is not found, and stops asking for it', async () => {
    await open('/ui/hooks/hk_missing');
    await page.getByRole('heading', { name: 'Hook not found' }).waitFor();
    const asked = () => requestedUrls.filter((url) => url.endsWith('/v1/hooks/hk_missing')).length;
    assert.equal(asked(), 1);
    // Longer than the hook page's refresh interval.
    await new Promise((resolve) => setTimeout(resolve, 4000));
    assert.equal(asked(), 1);
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
    const overflow = () => phone.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    assert.ok((await overflow()) <= 0, `the hook page is ${await overflow()}px wider than the phone`);
    // The endpoints table is wider than a phone: it scrolls by itself, the page does not.
    await phone.getByRole('link', { name: 'Endpoints' }).click();
    await endpointRow(phone).waitFor();
    await shoot('endpoints-phone', phone);
    assert.ok((await overflow()) <= 0, `the endpoints page is ${await overflow()}px wider than the phone`);
    await phone.close();
  });

  it('shows overdue hooks on the overview while no worker runs', async () => {
    await stack.stopWorker();
    try {
      const late = await stack.schedule('dash', { path: '/orders/5', postIn: '0s' });
      const deadline = Date.now() + SEEN_WITHIN_MS;
      while ((await api().overview()).overdue.count === 0) {
        if (Date.now() > deadline) throw new Error('visibility never saw the overdue hook');
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      await open('/ui');
      const overdue = page.getByRole('region', { name: 'Overdue' });
      await overdue.getByText('1 unfinished hook is past due.').waitFor();
      assert.equal(
        await overdue.getByRole('link', { name: late.id }).getAttribute('href'),
        `/ui/hooks/${late.id}`,
      );
      await shoot('overview-overdue');
    } finally {
      await stack.startWorker();
    }
  });

  it('signs out when the API stops accepting the key, an action included', async () => {
    // The key revoked between opening the dialog and confirming it.
    await page.route('**/v1/hooks/*/replay', (route) =>
      route.fulfill({
        status: 401,
        contentType: 'application/json',
        body: JSON.stringify({ error: { code: 'unauthorized', message: 'Invalid API key' } }),
      }),
    );
    try {
      await open(`/ui/hooks/${hooks.delivered.id}`);
      await page.getByRole('button', { name: 'Replay' }).click();
      await page
        .getByRole('dialog', { name: 'Replay this hook?' })
        .getByRole('button', { name: 'Replay now' })
        .click();
      await page.getByRole('alert').filter({ hasText: 'The API no longer accepts this key' }).waitFor();
      await page.getByLabel('Project API key').waitFor();
      assert.equal(await page.evaluate<number>('sessionStorage.length'), 0);
    } finally {
      await page.unroute('**/v1/hooks/*/replay');
    }
    await page.getByLabel('Project API key').fill(apiKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: `Hook ${hooks.delivered.id} completed` }).waitFor();
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
