import { existsSync } from 'node:fs';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';
import { HookrelayClient } from '../../src/client';
import { distribution } from '../stats';
import { configString } from '../systems/types';
import {
  AWAIT_LIMIT_MS,
  collectDeliveries,
  metric,
  runDueTogether,
  scheduleSleeping,
  waitForQuiet,
} from './phases';
import type { Metric, Scenario, ScenarioContext } from './types';

/** Debian's chromium, which `.ci/run` installs; no browser is downloaded. */
const CHROMIUM = process.env.HOOKRELAY_CHROMIUM_PATH ?? '/usr/bin/chromium';
/** A page that has not shown its content by then counts as failed. */
const PAGE_TIMEOUT_MS = 30_000;

interface DashboardPage {
  key: string;
  label: string;
  path: string;
  /** What shows once the page has its data, not only its frame. */
  ready(page: Page): Locator;
}

function pages(hookId: string): DashboardPage[] {
  return [
    {
      key: 'overview',
      label: 'Overview',
      path: '/ui/',
      ready: (page) => page.getByRole('region', { name: 'Hooks by status' }).getByRole('link').first(),
    },
    {
      key: 'hooks',
      label: 'Hooks (first page)',
      path: '/ui/hooks',
      ready: (page) => page.locator('tbody tr').first(),
    },
    {
      key: 'hook',
      label: 'A hook with its attempts',
      path: `/ui/hooks/${hookId}`,
      ready: (page) => page.getByRole('region', { name: 'Attempts' }).locator('li').first(),
    },
    {
      key: 'endpoints',
      label: 'Endpoints',
      path: '/ui/endpoints',
      ready: (page) => page.locator('tbody tr').first(),
    },
  ];
}

/** Milliseconds from navigation to the page showing its data, `loads` times, in a signed-in tab. */
async function timeLoads(page: Page, base: string, target: DashboardPage, loads: number): Promise<number[]> {
  const times: number[] = [];
  for (let load = 0; load < loads; load++) {
    const startedAt = performance.now();
    await page.goto(base + target.path);
    await target.ready(page).waitFor({ timeout: PAGE_TIMEOUT_MS });
    times.push(performance.now() - startedAt);
  }
  return times;
}

async function signIn(page: Page, base: string, apiKey: string): Promise<void> {
  await page.goto(`${base}/ui/`);
  await page.getByLabel('Project API key').fill(apiKey);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Overview' }).waitFor({ timeout: PAGE_TIMEOUT_MS });
}

async function measurePages(context: ScenarioContext, hookId: string) {
  const { dashboard } = context.settings;
  const base = configString(context.stack.running.clientConfig, 'apiUrl');
  const apiKey = configString(context.stack.running.clientConfig, 'apiKey');
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no chromium at ${CHROMIUM}: install Debian's chromium (apt-get install chromium)`);
  }
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await signIn(page, base, apiKey);
    const results: { page: DashboardPage; timesMs: number[] }[] = [];
    for (const target of pages(hookId)) {
      // The first load fetches and compiles the bundle; the figures are for a tab that has it cached,
      // as a support person's is after the first page.
      await timeLoads(page, base, target, 1);
      results.push({ page: target, timesMs: await timeLoads(page, base, target, dashboard.loads) });
    }
    return results;
  } finally {
    await browser?.close();
  }
}

/**
 * The dashboard on a stack holding many hooks: how long each page takes, in a real browser, from
 * navigation to showing its data (the API calls behind it included). Only this checkout's hookrelay has it.
 */
export const dashboardScenario: Scenario = {
  name: 'dashboard',
  describe: ({ dashboard }) =>
    `Dashboard: ${dashboard.delivered} hooks delivered and ${dashboard.sleeping} sleeping, then each page ` +
    `of /ui loaded ${dashboard.loads} times in headless chromium, from navigation to its data on screen.`,
  appliesTo: (system) => system.servesDashboard === true,

  async run(context) {
    const { dashboard } = context.settings;
    const { stack } = context;
    const { batch: delivered } = await runDueTogether(context, {
      tag: 'delivered',
      count: dashboard.delivered,
      label: 'hooks delivered before the pages are loaded',
      drainMs: dashboard.drainMs,
    });
    const { scheduled, dueAt } = await scheduleSleeping(context, {
      count: dashboard.sleeping,
      dueInMs: dashboard.sleepingDueInMs,
    });
    await waitForQuiet(stack.probes, dashboard.quietTimeoutMs);

    const api = new HookrelayClient({
      baseUrl: configString(stack.running.clientConfig, 'apiUrl'),
      apiKey: configString(stack.running.clientConfig, 'apiKey'),
    });
    const [completed] = (await api.hooks.list({ status: 'completed', limit: 1 })).data;
    if (!completed) throw new Error('no completed hook to open');
    const results = await measurePages(context, completed.id);
    const sleeping = await collectDeliveries(context, scheduled, {
      label: 'sleeping hooks',
      awaitDelivery: dashboard.sleepingDueInMs < AWAIT_LIMIT_MS,
      deadline: dueAt + dashboard.drainMs,
    });

    const metrics: Metric[] = results.flatMap(({ page, timesMs }) => {
      const loads = distribution(timesMs);
      return [
        metric(`dashboard.${page.key}.p50`, `${page.label}: load, median`, 'ms', loads.p50, 'lower'),
        metric(`dashboard.${page.key}.max`, `${page.label}: load, slowest`, 'ms', loads.max, 'lower'),
      ];
    });
    return {
      metrics,
      deliveries: [delivered.delivery, sleeping.delivery],
      warnings: [],
      summary: `${scheduled.outcome.attempted} hooks sleeping while the pages were loaded`,
      details: Object.fromEntries(results.map(({ page, timesMs }) => [page.key, distribution(timesMs)])),
    };
  },
};
