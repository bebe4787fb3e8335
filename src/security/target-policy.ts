import { BlockList, isIP } from 'node:net';
import { internalRangeOf } from './internal-addresses';

/**
 * Where one project's webhooks may go: any public address, and the internal addresses (loopback,
 * private ranges, link-local…) its operator has allowed, by host name or by CIDR. Used twice: by the API
 * on a literal address when a hook is scheduled, and by the worker on every address it connects to.
 */

/** A host name as an allowance spells it: letters, digits, dots and hyphens, optionally "*." first. */
const HOST_NAME = /^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;

function ipFamily(address: string): 'ipv4' | 'ipv6' | undefined {
  const version = isIP(address);
  return version === 4 ? 'ipv4' : version === 6 ? 'ipv6' : undefined;
}

function parseCidr(entry: string): { network: string; prefix: number; family: 'ipv4' | 'ipv6' } | undefined {
  const [network = '', prefixText, ...rest] = entry.split('/');
  const family = ipFamily(network);
  if (!family || rest.length > 0) return undefined;
  const bits = family === 'ipv4' ? 32 : 128;
  if (prefixText === undefined) return { network, prefix: bits, family };
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > bits) return undefined;
  return { network, prefix: Number(prefixText), family };
}

/** Why an allowance entry is not one (for config validation), or undefined when it is. */
export function allowanceEntryProblem(entry: string): string | undefined {
  if (parseCidr(entry) || HOST_NAME.test(entry)) return undefined;
  return 'must be an IP address, a CIDR such as 10.1.0.0/16 or fd00::/8, or a lowercase host name (optionally "*.domain")';
}

/** A URL's host as the address or name to connect to: without IPv6 brackets, lowercase. */
export function connectHost(hostname: string): string {
  return hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
}

const policies = new WeakMap<readonly string[], TargetPolicy>();

export class TargetPolicy {
  /** The policy of an allowance list, built once per list (a project's config does not change). */
  static of(allowances: readonly string[]): TargetPolicy {
    let policy = policies.get(allowances);
    if (!policy) {
      policy = new TargetPolicy(allowances);
      policies.set(allowances, policy);
    }
    return policy;
  }

  private readonly hosts = new Set<string>();
  private readonly domainSuffixes: string[] = [];
  private readonly ranges = new BlockList();

  /** @param allowances what the project allows beyond public addresses (validated by the config schema) */
  constructor(allowances: readonly string[]) {
    for (const entry of allowances) {
      const cidr = parseCidr(entry);
      if (cidr) this.ranges.addSubnet(cidr.network, cidr.prefix, cidr.family);
      else if (entry.startsWith('*.')) this.domainSuffixes.push(entry.slice(1));
      else this.hosts.add(entry);
    }
  }

  /** A host name the project trusts whatever it resolves to. */
  allowsHost(host: string): boolean {
    const name = connectHost(host);
    return this.hosts.has(name) || this.domainSuffixes.some((suffix) => name.endsWith(suffix));
  }

  /** Why connecting to this IP address is refused, or undefined when it may be connected to. */
  refusalFor(ip: string): string | undefined {
    const range = internalRangeOf(ip);
    if (range === undefined) return undefined;
    const address = ip.split('%')[0] ?? ip;
    const family = ipFamily(address);
    if (family && this.ranges.check(address, family)) return undefined;
    return `${ip} is ${range}`;
  }

  /**
   * Why a target URL is refused before any name is resolved: a scheme other than http(s), or a literal
   * IP address (in any spelling the URL parser accepts, such as 2130706433 or 0x7f.1) that is internal.
   * A host name passes here; what it resolves to is checked when the worker connects.
   */
  refusalForUrl(url: string): string | undefined {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return `${url} is not a URL`;
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      return `only http and https targets are allowed, not ${parsed.protocol}`;
    }
    const host = connectHost(parsed.hostname);
    if (this.allowsHost(host) || isIP(host) === 0) return undefined;
    return this.refusalFor(host);
  }
}
