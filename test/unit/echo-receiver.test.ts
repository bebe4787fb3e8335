import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { type EchoReceiver, startEchoReceiver } from '../../src/dev/echo-receiver';
import { freePort } from '../../src/lib/ports';
import { generateSigningSecret } from '../../src/security/signing';

const SECRET = generateSigningSecret();

/** A delivery as hookrelay sends it, signed with `secret`. */
function delivery(secret: string, data: unknown) {
  const body = JSON.stringify({ id: 'hk_echo1', path: '/echo/hello', attempt: 2, data });
  const timestamp = new Date();
  return {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/json',
      'webhook-id': 'hk_echo1',
      'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
      'webhook-signature': new Webhook(secret).sign('hk_echo1', timestamp, body),
      'hook-attempt': '2',
    },
  };
}

describe('echo receiver', () => {
  let receiver: EchoReceiver;
  const logged: string[] = [];

  before(async () => {
    receiver = await startEchoReceiver({
      port: 0,
      signingSecret: SECRET,
      log: (line) => logged.push(line),
    });
  });
  after(() => receiver.close());

  it('answers 200 and logs the hook with a valid signature', async () => {
    const response = await fetch(`${receiver.url}/echo/hello`, delivery(SECRET, { hello: 'world' }));
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { received: true, signatureValid: true });
    assert.equal(
      logged.at(-1),
      'echo receiver got hk_echo1 /echo/hello attempt 2, signature valid, data {"hello":"world"}',
    );
  });

  it('says when the signature is not valid, and shortens long data', async () => {
    const response = await fetch(`${receiver.url}/other`, delivery(generateSigningSecret(), 'x'.repeat(200)));
    assert.deepEqual(await response.json(), { received: true, signatureValid: false });
    assert.match(
      logged.at(-1) ?? '',
      /^echo receiver got hk_echo1 \/other attempt 2, signature NOT valid \(.+\), data "x{78}…$/,
    );
  });

  it('takes another port when asked to, if its own is taken', async () => {
    const port = await freePort();
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve));
    try {
      await assert.rejects(
        startEchoReceiver({ port, signingSecret: SECRET, log: () => undefined }),
        new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}.*EADDRINUSE`),
      );
      const elsewhere = await startEchoReceiver({
        port,
        orFreePort: true,
        signingSecret: SECRET,
        log: () => undefined,
      });
      assert.notEqual(elsewhere.url, `http://127.0.0.1:${port}`);
      assert.equal((await fetch(elsewhere.url, { method: 'POST', body: '{}' })).status, 200);
      await elsewhere.close();
    } finally {
      squatter.close();
    }
  });
});
