import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  EndpointFlow,
  effectiveFlowLimits,
  type FlowLimits,
  flowLimitsProblem,
  NO_FLOW_LIMITS,
  RELEASE_ACK_TIMEOUT_MS,
  RELEASE_HORIZON_MS,
  RELEASE_LEAD_MS,
  SLOT_TOLERANCE_MS,
} from '../../src/domain/flow-limits';

const T0 = Date.parse('2026-11-24T12:00:00Z');

/** Releases everything the flow lets go at `now`, as the endpoint workflow does in one round. */
function releaseRound(flow: EndpointFlow, limits: FlowLimits, now: number, ids: string[]): number[] {
  const slots: number[] = [];
  for (let decision = flow.nextRelease(limits, now); decision.kind === 'now';) {
    const id = ids.shift();
    if (!id) break;
    flow.released(id, now, decision.notBefore);
    if (decision.notBefore !== undefined) slots.push(decision.notBefore);
    decision = flow.nextRelease(limits, now);
  }
  return slots;
}

describe('EndpointFlow', () => {
  it('lets an endpoint without limits go one hook at a time, the next once the first reported', () => {
    const flow = EndpointFlow.restore();
    assert.deepEqual(flow.nextRelease(NO_FLOW_LIMITS, T0), { kind: 'now' });
    flow.released('a', T0, undefined);
    assert.deepEqual(flow.nextRelease(NO_FLOW_LIMITS, T0), { kind: 'full' });
    flow.attempted('a');
    assert.deepEqual(flow.nextRelease(NO_FLOW_LIMITS, T0 + 10), { kind: 'now' });
  });

  it('holds everything until a Retry-After has passed, with or without limits', () => {
    const flow = EndpointFlow.restore();
    flow.throttle(T0 + 3_000);
    flow.throttle(T0 + 1_000); // an earlier end never shortens the back-off
    assert.deepEqual(flow.nextRelease(NO_FLOW_LIMITS, T0), { kind: 'later', at: T0 + 3_000 });
    assert.equal(flow.throttledUntilAt(T0), T0 + 3_000);
    assert.equal(flow.throttledUntilAt(T0 + 3_000), undefined);
    const rated = flow.nextRelease({ ratePerSecond: 10, maxInFlight: 0 }, T0);
    assert.ok(rated.kind === 'later');
    assert.ok(rated.at >= T0 + 3_000 - RELEASE_LEAD_MS.initial - RELEASE_HORIZON_MS);
    const atEnd = flow.nextRelease({ ratePerSecond: 10, maxInFlight: 0 }, T0 + 3_000);
    assert.ok(atEnd.kind === 'now' && (atEnd.notBefore ?? 0) >= T0 + 3_000);
  });

  it('never gives any second plus the tolerance more slots than the rate, across rounds', () => {
    for (const ratePerSecond of [1, 3, 7, 20, 50, 0.5]) {
      const limits = { ratePerSecond, maxInFlight: 0 };
      const flow = EndpointFlow.restore();
      const ids = Array.from({ length: 200 }, (_, n) => `h${n}`);
      const slots: number[] = [];
      for (let now = T0; ids.length > 0 && now < T0 + 600_000; now += 137) {
        slots.push(...releaseRound(flow, limits, now, ids));
        // Every released hook reports a moment later.
        for (let n = 0; n < 200; n += 1) flow.attempted(`h${n}`);
      }
      assert.equal(slots.length, 200, `all released at ${ratePerSecond}/s`);
      const window = 1000 + SLOT_TOLERANCE_MS;
      for (let first = 0, last = 0; last < slots.length; last += 1) {
        while ((slots[last] ?? 0) - (slots[first] ?? 0) >= window) first += 1;
        assert.ok(
          last - first + 1 <= Math.max(1, ratePerSecond),
          `${ratePerSecond}/s: too many slots in a window`,
        );
      }
      // Close to the rate, not far under it: the margin (and whole milliseconds) cost that and no more.
      const spanSecs = ((slots.at(-1) ?? 0) - (slots[0] ?? 0)) / 1000;
      const spacingMs = Math.ceil(window / ratePerSecond);
      assert.ok(199 / spanSecs >= 1000 / spacingMs - 0.01, `${ratePerSecond}/s kept up`);
      assert.ok(1000 / spacingMs >= ratePerSecond * 0.85, `${ratePerSecond}/s: the margin costs little`);
    }
  });

  it('releases a hook ahead of its slot by the lead, within the horizon, never for a slot already begun', () => {
    const flow = EndpointFlow.restore();
    const limits = { ratePerSecond: 5, maxInFlight: 0 };
    const slots = releaseRound(flow, limits, T0, ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
    assert.ok(slots.length >= 2, 'a round lets several go');
    assert.equal(slots[0], T0 + RELEASE_LEAD_MS.initial);
    assert.ok((slots.at(-1) ?? 0) - T0 <= RELEASE_LEAD_MS.initial + RELEASE_HORIZON_MS);
    const next = flow.nextRelease(limits, T0);
    assert.equal(next.kind, 'later');
  });

  it('counts in flight from release to report, and frees a place a hook never reports after a while', () => {
    const flow = EndpointFlow.restore();
    const limits = { ratePerSecond: 0, maxInFlight: 2 };
    assert.equal(releaseRound(flow, limits, T0, ['a', 'b', 'c']).length, 0);
    assert.equal(flow.inFlightCount, 2);
    assert.deepEqual(flow.nextRelease(limits, T0), { kind: 'full' });
    flow.gone('a');
    assert.deepEqual(flow.nextRelease(limits, T0), { kind: 'now' });
    flow.released('c', T0 + 1, undefined);
    assert.equal(flow.nextExpiryAt(), T0 + RELEASE_ACK_TIMEOUT_MS);
    assert.deepEqual(flow.expire(T0 + RELEASE_ACK_TIMEOUT_MS), ['b']);
    assert.equal(flow.inFlightCount, 1);
  });

  it('gives more lead after a missed slot and less after each slot kept, within bounds', () => {
    const flow = EndpointFlow.restore();
    const limits = { ratePerSecond: 1, maxInFlight: 0 };
    const leadOf = (now: number) => {
      const decision = flow.nextRelease(limits, now);
      assert.ok(decision.kind === 'now');
      return (decision.notBefore ?? 0) - now;
    };
    let now = T0;
    for (let n = 0; n < 20; n += 1) {
      now += 10_000;
      flow.released(`m${n}`, now, now + leadOf(now));
      flow.heldAgain(`m${n}`);
    }
    now += 10_000;
    assert.equal(leadOf(now), RELEASE_LEAD_MS.max);
    for (let n = 0; n < 200; n += 1) {
      now += 10_000;
      flow.released(`k${n}`, now, now + leadOf(now));
      flow.attempted(`k${n}`);
    }
    now += 10_000;
    assert.equal(leadOf(now), RELEASE_LEAD_MS.min);
    // A hook that is not in flight changes nothing.
    flow.heldAgain('nobody');
    assert.equal(leadOf(now), RELEASE_LEAD_MS.min);
  });

  it('hands its state to the next run whole', () => {
    const flow = EndpointFlow.restore();
    flow.released('a', T0, T0 + 500);
    flow.throttle(T0 + 9_000);
    const copy = EndpointFlow.restore(
      JSON.parse(JSON.stringify(flow.snapshot())) as ReturnType<EndpointFlow['snapshot']>,
    );
    assert.deepEqual(copy.snapshot(), flow.snapshot());
    assert.ok(copy.isInFlight('a'));
  });
});

describe('flow limits', () => {
  it('puts the endpoint’s own limits over the project’s, field by field', () => {
    assert.deepEqual(effectiveFlowLimits({ ratePerSecond: 10, maxInFlight: 4 }, { maxInFlight: 0 }), {
      ratePerSecond: 10,
      maxInFlight: 0,
    });
    assert.deepEqual(effectiveFlowLimits(undefined, undefined), NO_FLOW_LIMITS);
  });

  it('names what is out of range', () => {
    assert.equal(flowLimitsProblem({ ratePerSecond: 0.5, maxInFlight: 3 }), undefined);
    assert.match(flowLimitsProblem({ ratePerSecond: -1 }) ?? '', /ratePerSecond/);
    assert.match(flowLimitsProblem({ maxInFlight: 1.5 }) ?? '', /maxInFlight/);
    assert.match(flowLimitsProblem({ maxInFlight: 100_000 }) ?? '', /maxInFlight/);
  });
});
