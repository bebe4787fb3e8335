import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HookrelayClient } from '../../src/client';
import { CliError, ExitCode } from '../../src/cli/exit-codes';
import { actOnHooks } from '../../src/cli/hook-actions';

const ids = Array.from({ length: 20 }, (_, index) => `hk_${String(index).padStart(32, '0')}`);

/**
 * A client whose first `answered` requests succeed; every later one fails as `failure` says, as when the API
 * stops or starts refusing the key in the middle of a run.
 */
function clientFailingAfter(answered: number, failure: () => Response): HookrelayClient {
  let calls = 0;
  return new HookrelayClient({
    baseUrl: 'http://api.test',
    apiKey: 'hr_test',
    fetch: (input) => {
      calls += 1;
      if (calls > answered) return Promise.resolve(failure());
      const url = input instanceof Request ? input.url : input.toString();
      const hookId = /\/v1\/hooks\/([^/]+)\/retry$/.exec(url)?.[1] ?? '';
      return Promise.resolve(Response.json({ data: { id: hookId, status: 'pending' } }));
    },
  });
}

describe('actOnHooks', () => {
  it('keeps what was done before the API became unreachable, and names the ids left', async () => {
    const unreachable = new CliError(ExitCode.unreachable, 'unreachable', 'could not reach the API');
    const client = clientFailingAfter(3, () => {
      throw unreachable;
    });
    const seen: string[] = [];
    const run = await actOnHooks(client, 'retry', ids, (result) => seen.push(result.hookId));

    assert.deepEqual(
      run.results.map((result) => ('hook' in result ? result.hook.id : 'error')),
      ids.slice(0, 3),
    );
    assert.deepEqual(seen, ids.slice(0, 3));
    assert.equal(run.fatal?.error, unreachable);
    // The requests already in flight when the first failed are not done either; none after it is sent.
    assert.deepEqual(run.fatal.notDone, ids.slice(3));
  });

  it('stops when the key is refused, and when rate limited', async () => {
    for (const status of [401, 429]) {
      const client = clientFailingAfter(5, () =>
        Response.json({ error: { code: 'refused', message: 'no' } }, { status }),
      );
      const run = await actOnHooks(client, 'retry', ids);
      assert.equal(run.results.length, 5, String(status));
      assert.equal(run.fatal?.notDone.length, ids.length - 5, String(status));
    }
  });

  it("carries on past one hook's own failure", async () => {
    const client = clientFailingAfter(2, () =>
      Response.json({ error: { code: 'conflict', message: 'not failed' } }, { status: 409 }),
    );
    const run = await actOnHooks(client, 'retry', ids);
    assert.equal(run.fatal, undefined);
    assert.equal(run.results.length, ids.length);
    assert.equal(run.results.filter((result) => 'error' in result).length, ids.length - 2);
  });
});
