import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { freePort } from '../../src/lib/ports';
import {
  type EntryProcess,
  startEntryProcess,
  stopEntryProcess,
  waitForOutput,
} from '../support/entry-process';

const BANNER_START = 'hookrelay is running';
const BANNER_END = 'Press Ctrl-C to stop.';

/** Runs a command line as a user pasting it into a shell would, and answers what it printed. */
async function paste(command: string): Promise<string> {
  const { stdout } = await promisify(execFile)('/bin/sh', ['-c', command], { timeout: 10_000 });
  return stdout;
}

interface HookSummary {
  id: string;
  status: string;
  targetUrl: string;
}

/**
 * `npm start` without a config file, as a newcomer runs it: the dev project delivers to the echo
 * receiver, and the commands the banner prints work as printed.
 */
describe('npm start with the dev project and its echo receiver', () => {
  let dir: string;
  let echoPort: number;
  let stack: EntryProcess | undefined;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'hookrelay-echo-'));
    echoPort = await freePort();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      HOOKRELAY_DATA_DIR: path.join(dir, 'data'),
      HOOKRELAY_API_PORT: String(await freePort()),
      HOOKRELAY_DEV_SERVER_PORT: String(await freePort()),
      HOOKRELAY_DEV_SERVER_UI_PORT: String(await freePort()),
      HOOKRELAY_ECHO_PORT: String(echoPort),
    };
    for (const name of [
      'HOOKRELAY_CONFIG',
      'HOOKRELAY_DEV_BASE_URL',
      'HOOKRELAY_LOG_FORMAT',
      'HOOKRELAY_LOG_LEVEL',
    ]) {
      // The defaults are what is under test.
      // eslint-disable-next-line @typescript-eslint/no-dynamic-delete
      delete env[name];
    }
    stack = await startEntryProcess('start', env, BANNER_END);
  });

  after(async () => {
    if (stack) await stopEntryProcess(stack);
    await rm(dir, { recursive: true, force: true });
  });

  const banner = () => {
    const output = stack?.output() ?? '';
    return output.slice(output.indexOf(BANNER_START), output.indexOf(BANNER_END));
  };

  it('prints a curl that schedules a hook to the echo receiver, which verifies its signature, and one that reads it back', async () => {
    assert.ok(stack);
    const echoUrl = /echo receiver\s+(http:\S+)/.exec(banner())?.[1];
    assert.equal(echoUrl, `http://127.0.0.1:${echoPort}`);
    const [schedule, readBack, ...others] = [...banner().matchAll(/^ {2}(curl .*)$/gm)].map(
      (match) => match[1] ?? '',
    );
    assert.ok(schedule !== undefined && readBack !== undefined && others.length === 0, banner());

    const { data: hook } = JSON.parse(await paste(schedule)) as { data: HookSummary };
    assert.equal(hook.status, 'pending');
    assert.equal(hook.targetUrl, `${echoUrl}/echo/hello`);

    const logged = `echo receiver got ${hook.id} /echo/hello attempt 1, signature valid, data {"hello":"world"}`;
    await waitForOutput(
      stack,
      // As the message appears inside a JSON log line.
      (output) => output.includes(JSON.stringify(logged).slice(1, -1)),
      30_000,
      'the echo receiver to log the hook with a valid signature',
    );

    // The list is read from Temporal visibility, which catches up a moment after the delivery.
    const deadline = Date.now() + 15_000;
    let listed: HookSummary | undefined;
    while (listed?.status !== 'completed' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      listed = (JSON.parse(await paste(readBack)) as { data: HookSummary[] }).data[0];
    }
    assert.deepEqual({ id: listed?.id, status: listed?.status }, { id: hook.id, status: 'completed' });
  });

  it('logs JSON lines, as its stdout is not a terminal', () => {
    const output = stack?.output() ?? '';
    const logLines = [
      ...output.slice(0, output.indexOf(BANNER_START)).split('\n'),
      ...output.slice(output.indexOf(BANNER_END) + BANNER_END.length).split('\n'),
    ].filter((line) => line.trim() !== '');
    const messages = logLines.map((line) => {
      const record = JSON.parse(line) as { level?: number; msg?: string };
      assert.equal(typeof record.level, 'number', line);
      return record.msg;
    });
    assert.ok(
      messages.some((message) => message?.startsWith('Server listening at')),
      messages.join('\n'),
    );
    assert.ok(
      messages.some((message) => message?.startsWith('echo receiver got hk_')),
      messages.join('\n'),
    );
  });
});
