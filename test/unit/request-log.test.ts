import assert from 'node:assert/strict';
import { it } from 'node:test';
import { redactCallbackToken } from '../../src/api/request-log';

it('keeps callback tokens out of logged URLs', () => {
  assert.equal(redactCallbackToken('/v1/callbacks/eyJo.c2ln/ack'), '/v1/callbacks/<redacted>/ack');
  assert.equal(redactCallbackToken('/v1/callbacks/eyJo.c2ln/nack?x=1'), '/v1/callbacks/<redacted>/nack?x=1');
  assert.equal(redactCallbackToken('/v1/hooks/hk_1?status=failed'), '/v1/hooks/hk_1?status=failed');
});
