import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ReceiverPool } from '../support/receiver';
import { TestStack } from '../support/stack';

/**
 * Deliveries to internal addresses, end to end: refused by default, at scheduling time for a literal
 * address and at connection time for a name, and delivered where the project allows them. Every
 * target here is on loopback or a name that resolves to it; no test sends anything elsewhere.
 */
describe('internal targets', { concurrency: true }, () => {
  let stack: TestStack;
  const receivers = new ReceiverPool();

  before(async () => {
    stack = await TestStack.start([
      { id: 'strict', allowUrlTargets: true, allowInternalTargets: [] },
      // The same rules, for the test that counts this project's hooks while the others schedule theirs.
      { id: 'literal', allowUrlTargets: true, allowInternalTargets: [] },
      { id: 'by-range', allowUrlTargets: true, allowInternalTargets: ['127.0.0.0/8', '::1'] },
      { id: 'by-name', allowUrlTargets: true, allowInternalTargets: ['localhost'] },
    ]);
  });
  after(async () => {
    await receivers.closeAll();
    await stack.close();
  });

  async function hookCount(projectId: string): Promise<number> {
    const response = await stack.request(projectId, 'GET', '/v1/hooks?limit=100');
    assert.equal(response.statusCode, 200, response.body);
    return response.json<{ data: unknown[] }>().data.length;
  }

  it('refuses a literal internal address with 400, in any spelling, and schedules nothing', async () => {
    const target = await receivers.start();
    const { port } = new URL(target.url);
    for (const host of ['127.0.0.1', '2130706433', '0x7f.1', '[::ffff:127.0.0.1]', '[::1]', '0.0.0.0']) {
      const response = await stack.request('literal', 'POST', '/v1/hooks', {
        url: `http://${host}:${port}/in`,
        postIn: '0s',
      });
      assert.equal(response.statusCode, 400, `${host}: ${response.body}`);
      const { error } = response.json<{ error: { code: string; message: string } }>();
      assert.equal(error.code, 'address_not_allowed');
      assert.match(error.message, /allowInternalTargets/);
    }
    assert.equal(await hookCount('literal'), 0, 'nothing was scheduled');
    assert.equal(target.arrivals.length, 0);
  });

  it('fails a hook whose name resolves to loopback for good, saying why, and sends nothing', async () => {
    const target = await receivers.start();
    const { port } = new URL(target.url);
    // A name cannot be judged when the hook is scheduled: the worker judges what it resolves to.
    const hook = await stack.schedule('strict', { url: `http://localhost:${port}/in`, postIn: '0s' });
    const failed = await stack.waitForHook('strict', hook.id, (current) => current.status === 'failed');
    assert.equal(failed.attempts, 1, 'a refused address is not retried');
    const [attempt] = failed.attemptHistory;
    assert.equal(attempt?.outcome, 'failure');
    assert.match(attempt.error ?? '', /refused to connect to localhost: .*loopback/);
    assert.equal(target.arrivals.length, 0);
  });

  it('delivers where the project allows the range or trusts the name', async () => {
    const target = await receivers.start();
    const { port } = new URL(target.url);
    const byRange = await stack.schedule('by-range', { url: `http://127.0.0.1:${port}/a`, postIn: '0s' });
    const byName = await stack.schedule('by-name', { url: `http://localhost:${port}/b`, postIn: '0s' });
    await stack.waitForHook('by-range', byRange.id, (current) => current.status === 'completed');
    await stack.waitForHook('by-name', byName.id, (current) => current.status === 'completed');
    assert.deepEqual(target.arrivals.map((arrival) => arrival.path).sort(), ['/a', '/b']);
  });
});
