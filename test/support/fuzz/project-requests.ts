import fc, { type Arbitrary } from 'fast-check';
import { FLOW_LIMIT_BOUNDS } from '../../../src/domain/flow-limits';
import { authed } from './endpoint-requests';
import { type FuzzRequest, JSON_HEADERS } from './fuzz-request';
import type { ProjectKeys } from './hook-requests';
import { type Fields, field, onlyWrong, optional, type Part, someWrong, unknownKeys } from './samples';

/**
 * Requests to the project's settings. Every PATCH is wrong somewhere, so that none changes the settings
 * the reads expect: the config file's, no limits, nothing set through the API.
 */

const limitFields: Part[] = [
  field(
    'ratePerSecond',
    fc.double({ min: 0, max: FLOW_LIMIT_BOUNDS.ratePerSecond.max, noNaN: true }),
    fc.constantFrom<unknown>(-1, -0.5, FLOW_LIMIT_BOUNDS.ratePerSecond.max + 1, '5', null, true, []),
  ),
  field(
    'maxInFlight',
    fc.integer({ min: 0, max: FLOW_LIMIT_BOUNDS.maxInFlight.max }),
    fc.constantFrom<unknown>(-1, 1.5, FLOW_LIMIT_BOUNDS.maxInFlight.max + 1, '3', null, {}),
  ),
].map(optional);

/** `endpointLimits`: any subset of the limits, or null; or a limit out of range, or not an object of them. */
const endpointLimits: Part = optional({
  valid: fc.oneof(
    fc.tuple(...limitFields.map((part) => part.valid)).map((fields) => ({
      value: { endpointLimits: Object.assign({}, ...fields.map((part) => part.value)) as object },
      broken: [],
    })),
    fc.constant({ value: { endpointLimits: null }, broken: [] }),
  ),
  invalid: fc.oneof(
    {
      weight: 3,
      arbitrary: someWrong(limitFields).map(({ value, broken }) => ({
        value: { endpointLimits: value },
        broken: broken.map((key) => `endpointLimits.${key}`),
      })),
    },
    fc
      .constantFrom<unknown>(5, true, [], 'none', { burst: 1 }, { maxinflight: 2 })
      .map((value) => ({ value: { endpointLimits: value }, broken: ['endpointLimits'] })),
  ),
});

/** A PATCH body with at least one fault; one without `endpointLimits` lacks it as a whole. */
const brokenSettings: Arbitrary<Fields> = someWrong([endpointLimits, onlyWrong(unknownKeys)]).map((body) =>
  'endpointLimits' in body.value ? body : { ...body, broken: [...body.broken, 'endpointLimits'] },
);

/** `GET /v1/project` answers the config file's settings; a bad `PATCH /v1/project` changes nothing. */
export const projectRequests = (keys: ProjectKeys): Arbitrary<FuzzRequest> => {
  const projects = fc.constantFrom(['paths', keys.paths] as const, ['urls', keys.urls] as const);
  const reads = projects.map(([projectId, key]): FuzzRequest => ({
    operation: 'GET /v1/project',
    method: 'GET',
    url: '/v1/project',
    headers: authed(key),
    expected: {
      status: 200,
      body: { data: { projectId, endpointLimits: { ratePerSecond: 0, maxInFlight: 0 }, overrides: {} } },
    },
  }));
  const changes = fc.tuple(projects, brokenSettings).map(([[, key], body]): FuzzRequest => ({
    operation: 'PATCH /v1/project',
    method: 'PATCH',
    url: '/v1/project',
    headers: authed(key, JSON_HEADERS),
    payload: JSON.stringify(body.value),
    expected: { status: 400, code: 'validation_failed', brokenFields: body.broken },
  }));
  return fc.oneof({ weight: 1, arbitrary: reads }, { weight: 3, arbitrary: changes });
};
