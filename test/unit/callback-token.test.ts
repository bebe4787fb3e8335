import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { callbackUrls, signCallbackToken, verifyCallbackToken } from '../../src/security/callback-token';

const SECRET = 'a-callback-secret-of-at-least-32-chars';
const CLAIMS = { hookId: 'hk_0123', projectId: 'media', attempt: 3, expiresAt: 1_900_000_000 };

describe('callback tokens', () => {
  it('round-trips the claims', () => {
    const token = signCallbackToken(CLAIMS, SECRET);
    assert.match(token, /^[\w-]+\.[\w-]+$/, 'URL-safe without escaping');
    assert.deepEqual(verifyCallbackToken(token, SECRET), CLAIMS);
  });

  it('refuses another secret, a changed payload, a changed signature and garbage', () => {
    const token = signCallbackToken(CLAIMS, SECRET);
    const [payload, signature] = token.split('.') as [string, string];
    const otherAttempt = signCallbackToken({ ...CLAIMS, attempt: 4 }, SECRET).split('.')[0];
    assert.equal(verifyCallbackToken(token, `${SECRET}!`), undefined);
    assert.equal(verifyCallbackToken(`${otherAttempt ?? ''}.${signature}`, SECRET), undefined);
    assert.equal(verifyCallbackToken(`${payload}.${signature.slice(0, -2)}AA`, SECRET), undefined);
    assert.equal(verifyCallbackToken(`${payload}.${signature}.x`, SECRET), undefined);
    assert.equal(verifyCallbackToken('garbage', SECRET), undefined);
    assert.equal(verifyCallbackToken('', SECRET), undefined);
  });

  it('builds ack and nack URLs under the public URL', () => {
    assert.deepEqual(callbackUrls('https://hooks.example.com/', 'tok.en'), {
      ack: 'https://hooks.example.com/v1/callbacks/tok.en/ack',
      nack: 'https://hooks.example.com/v1/callbacks/tok.en/nack',
    });
  });
});
