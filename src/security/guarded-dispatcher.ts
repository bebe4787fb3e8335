import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { Agent, buildConnector } from 'undici';
import type { TargetPolicy } from './target-policy';

/** A delivery target that resolved only to addresses its project may not reach. */
export class TargetRefusedError extends Error {
  readonly code = 'HOOKRELAY_TARGET_REFUSED';
  constructor(host: string, reason: string) {
    super(
      `refused to connect to ${host}: ${reason}. Internal addresses are not reached unless the ` +
        `project lists them in allowInternalTargets`,
    );
  }
}

/**
 * Resolves like the system resolver, then hands the socket only the addresses the policy permits. The
 * socket connects to exactly what this returns, so the address checked is the address connected to: a
 * name that resolves to a public address when scheduled and to 127.0.0.1 when delivered (DNS
 * rebinding) is caught here, at every new connection.
 */
function guardedLookup(policy: TargetPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) {
        callback(error, '', 0);
        return;
      }
      const refusals = addresses.map(({ address }) => policy.refusalFor(address));
      const permitted = addresses.filter((_, index) => refusals[index] === undefined);
      const [first] = permitted;
      if (!first) {
        callback(new TargetRefusedError(hostname, refusals.join('; ') || 'it has no address'), '', 0);
        return;
      }
      // Node asks for every address when it races IPv4 against IPv6 (autoSelectFamily).
      if (options.all) callback(null, permitted);
      else callback(null, first.address, first.family);
    });
  };
}

/**
 * An undici Agent that connects only where the policy allows. Literal IP addresses never reach a
 * resolver, so they are checked before connecting; names are checked as they resolve.
 */
export function createGuardedAgent(policy: TargetPolicy, options: Agent.Options = {}): Agent {
  const guarded = buildConnector({ lookup: guardedLookup(policy) });
  const trusted = buildConnector({});
  const connect: buildConnector.connector = (target, callback) => {
    const host = target.hostname;
    if (policy.allowsHost(host)) {
      trusted(target, callback);
      return;
    }
    const refusal = isIP(host) === 0 ? undefined : policy.refusalFor(host);
    if (refusal) callback(new TargetRefusedError(host, refusal), null);
    else guarded(target, callback);
  };
  return new Agent({ ...options, connect });
}

/** The refusal of the target's address behind an error (itself or one of its causes), if it is one. */
export function targetRefusalIn(error: unknown): TargetRefusedError | undefined {
  for (let current = error; current instanceof Error; current = current.cause) {
    if (current instanceof TargetRefusedError) return current;
  }
  return undefined;
}
