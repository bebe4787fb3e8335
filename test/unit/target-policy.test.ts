import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { internalRangeOf } from '../../src/security/internal-addresses';
import { allowanceEntryProblem, TargetPolicy } from '../../src/security/target-policy';

/** Addresses no webhook may reach by default, with the range each one is reported as. */
const INTERNAL: [string, RegExp][] = [
  ['0.0.0.0', /unspecified/],
  ['0.1.2.3', /unspecified/],
  ['10.0.0.1', /RFC 1918/],
  ['10.255.255.255', /RFC 1918/],
  ['100.64.0.1', /CGNAT/],
  ['100.127.255.254', /CGNAT/],
  ['127.0.0.1', /loopback/],
  ['127.255.0.9', /loopback/],
  ['169.254.169.254', /link-local/],
  ['172.16.0.1', /RFC 1918/],
  ['172.31.255.255', /RFC 1918/],
  ['192.0.0.8', /IETF/],
  ['192.0.2.1', /documentation/],
  ['192.168.1.1', /RFC 1918/],
  ['198.18.0.1', /benchmarking/],
  ['198.51.100.7', /documentation/],
  ['203.0.113.9', /documentation/],
  ['224.0.0.1', /multicast/],
  ['239.255.255.250', /multicast/],
  ['240.0.0.1', /reserved/],
  ['255.255.255.255', /reserved/],
  ['::', /unspecified/],
  ['::1', /loopback/],
  ['0:0:0:0:0:0:0:1', /loopback/],
  ['fc00::1', /unique-local/],
  ['fd12:3456:789a::1', /unique-local/],
  ['fe80::1', /link-local/],
  ['fe80::1%eth0', /link-local/],
  ['febf:ffff::1', /link-local/],
  ['fec0::1', /site-local/],
  ['ff02::1', /multicast/],
  ['2001:db8::1', /documentation/],
  ['100::1', /discard/],
  ['64:ff9b:1::1', /NAT64/],
  // IPv4 addresses inside IPv6: mapped, compatible, NAT64 and 6to4 all carry a connection to them.
  ['::ffff:127.0.0.1', /loopback, as an IPv4 address inside IPv6/],
  ['::ffff:7f00:1', /loopback/],
  ['0:0:0:0:0:ffff:a9fe:a9fe', /link-local/],
  ['::ffff:10.1.2.3', /RFC 1918/],
  ['::127.0.0.1', /loopback/],
  ['::2', /unspecified/],
  ['64:ff9b::192.168.0.1', /RFC 1918/],
  ['64:ff9b::a9fe:a9fe', /link-local/],
  ['2002:7f00:1::', /loopback/],
  ['2002:c0a8:101::1', /RFC 1918/],
];

/** Public unicast addresses, some of them next to an internal range's edge. */
const PUBLIC = [
  '1.1.1.1',
  '8.8.8.8',
  '9.255.255.255',
  '11.0.0.0',
  '100.63.255.255',
  '100.128.0.0',
  '126.255.255.255',
  '128.0.0.0',
  '169.253.255.255',
  '172.15.255.255',
  '172.32.0.0',
  '192.167.255.255',
  '192.169.0.0',
  '223.255.255.255',
  '2606:4700:4700::1111',
  '2001:4860:4860::8888',
  '::ffff:8.8.8.8',
  '64:ff9b::808:808',
  '2002:808:808::1',
  'fbff:ffff::1',
  'fe7f::1',
];

describe('internalRangeOf', () => {
  for (const [address, range] of INTERNAL) {
    it(`${address} is internal`, () => {
      assert.match(internalRangeOf(address) ?? '(public)', range);
    });
  }
  for (const address of PUBLIC) {
    it(`${address} is public`, () => {
      assert.equal(internalRangeOf(address), undefined);
    });
  }
  it('throws for a name: names are resolved before they are judged', () => {
    assert.throws(() => internalRangeOf('localhost'), /not an IP address/);
  });
});

describe('TargetPolicy', () => {
  const strict = TargetPolicy.of([]);

  it('refuses a literal internal address in any spelling the URL parser accepts', () => {
    for (const url of [
      'http://127.0.0.1/',
      'http://2130706433/',
      'http://0x7f.1/',
      'http://0177.0.0.1/',
      'http://127.1:8080/x',
      'http://[::ffff:127.0.0.1]/',
      'http://[0:0:0:0:0:ffff:7f00:1]/',
      'https://[::1]:443/',
      'http://169.254.169.254/latest/meta-data/',
      'http://[fd00::1]/',
      'http://0.0.0.0:3000/',
    ]) {
      assert.ok(strict.refusalForUrl(url), `${url} is refused`);
    }
  });

  it('refuses schemes other than http and https', () => {
    for (const url of [
      'file:///etc/passwd',
      'gopher://example.com/',
      'javascript:alert(1)',
      'ftp://x.test/',
    ]) {
      assert.match(strict.refusalForUrl(url) ?? '', /only http and https/, url);
    }
  });

  it('lets public addresses and names through (a name is judged when the worker connects)', () => {
    for (const url of ['https://8.8.8.8/', 'http://[2606:4700:4700::1111]/', 'https://receiver.example/']) {
      assert.equal(strict.refusalForUrl(url), undefined, url);
    }
  });

  it('allows what a project lists: addresses, CIDRs, host names and domains', () => {
    const policy = TargetPolicy.of(['10.1.0.0/16', '::1', '192.168.7.7', 'billing.internal', '*.corp.test']);
    assert.equal(policy.refusalFor('10.1.200.3'), undefined);
    assert.ok(policy.refusalFor('10.2.0.1'), 'outside the listed CIDR');
    assert.equal(policy.refusalFor('::1'), undefined);
    assert.equal(policy.refusalFor('192.168.7.7'), undefined);
    assert.ok(policy.refusalFor('192.168.7.8'));
    assert.equal(policy.refusalFor('::ffff:10.1.0.9'), undefined, 'an allowed IPv4 address inside IPv6');
    assert.ok(policy.allowsHost('billing.internal'));
    assert.ok(policy.allowsHost('BILLING.internal'));
    assert.ok(policy.allowsHost('api.corp.test'));
    assert.ok(!policy.allowsHost('corp.test.evil.example'));
    assert.ok(!policy.allowsHost('evilcorp.test'));
    assert.equal(policy.refusalForUrl('http://billing.internal:8080/hooks'), undefined);
    assert.equal(policy.refusalForUrl('http://[::1]:8080/hooks'), undefined);
  });

  it('validates allowance entries', () => {
    for (const good of [
      '127.0.0.0/8',
      '::1',
      'fd00::/8',
      '10.0.0.1',
      'localhost',
      '*.internal',
      'a-b.c9.test',
    ]) {
      assert.equal(allowanceEntryProblem(good), undefined, good);
    }
    for (const bad of [
      '10.0.0.0/33',
      '::1/129',
      '10.0.0.0/8/8',
      'Host.Example',
      '*',
      'a..b',
      'http://x',
      '',
    ]) {
      assert.ok(allowanceEntryProblem(bad), `${JSON.stringify(bad)} is refused`);
    }
  });
});
