import fc, { type Arbitrary } from 'fast-check';
import { MAX_DATA_DEPTH } from '../../../src/api/schemas';
import { HOOK_STATUSES, RETRY_STRATEGIES } from '../../../src/domain/hook';

/**
 * The parts of request bodies and query strings, each valid (at and inside its limits) or wrong (just past
 * them, or of the wrong kind), and requests put together from them with none, one or two parts wrong: a
 * request with few faults is one whose answer can be predicted exactly.
 */

/** Some fields of a request, and the fields among them that are wrong. */
export interface Fields {
  value: Record<string, unknown>;
  broken: readonly string[];
}

/** One part of a request: a field, or fields that go together. */
export interface Part {
  valid: Arbitrary<Fields>;
  invalid: Arbitrary<Fields>;
}

const NOTHING: Arbitrary<Fields> = fc.constant({ value: {}, broken: [] });

/** The fields of several parts as one. */
export function merge(...parts: Fields[]): Fields {
  return {
    value: Object.fromEntries(parts.flatMap((part) => Object.entries(part.value))),
    broken: parts.flatMap((part) => part.broken),
  };
}

/** The field `key`: one of `values`, or one of `invalidValues`. */
export function field(key: string, values: Arbitrary<unknown>, invalidValues: Arbitrary<unknown>): Part {
  return {
    valid: values.map((value) => ({ value: { [key]: value }, broken: [] })),
    invalid: invalidValues.map((value) => ({ value: { [key]: value }, broken: [key] })),
  };
}

/** A part that may be left out. */
export const optional = ({ valid, invalid }: Part): Part => ({ valid: fc.oneof(NOTHING, valid), invalid });

/** A part that is only ever wrong (an unknown key, a stranger's cursor): left out when the rest is valid. */
export const onlyWrong = (invalid: Arbitrary<Fields>): Part => ({ valid: NOTHING, invalid });

/**
 * Exactly one of two fields, as a body must have: either one, valid; or wrong, both, or neither (which
 * the API blames on the first).
 */
export function exactlyOne([firstKey, first]: [string, Part], [secondKey, second]: [string, Part]): Part {
  return {
    valid: fc.oneof(first.valid, second.valid),
    invalid: fc.oneof(
      first.invalid,
      second.invalid,
      fc
        .tuple(first.valid, second.valid)
        .map(([a, b]) => ({ ...merge(a, b), broken: [firstKey, secondKey] })),
      fc.constant({ value: {}, broken: [firstKey] }),
    ),
  };
}

const allValid = (parts: readonly Part[]): Arbitrary<Fields> =>
  fc.tuple(...parts.map((part) => part.valid)).map((fields) => merge(...fields));

/** Every part valid but one or two. */
export function someWrong(parts: readonly Part[]): Arbitrary<Fields> {
  const indexes = parts.map((_, index) => index);
  return fc
    .oneof(
      { weight: 3, arbitrary: fc.constantFrom(...indexes).map((index) => [index]) },
      { weight: 1, arbitrary: fc.uniqueArray(fc.constantFrom(...indexes), { minLength: 2, maxLength: 2 }) },
    )
    .chain((wrong) =>
      fc.tuple(...parts.map((part, index) => (wrong.includes(index) ? part.invalid : part.valid))),
    )
    .map((fields) => merge(...fields));
}

/** Requests from parts: a third of them valid, the others with one or two parts wrong. */
export const withFaults = (parts: readonly Part[]): Arbitrary<Fields> =>
  fc.oneof({ weight: 1, arbitrary: allValid(parts) }, { weight: 2, arbitrary: someWrong(parts) });

export const wrongTypes: Arbitrary<unknown> = fc.oneof(
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.constant([]),
  fc.constant({}),
  fc.array(fc.string(), { minLength: 1, maxLength: 2 }),
);

/** CR/LF and the other characters a URL parser drops or a header line must not carry. */
const CONTROL_CHARACTERS = ['\r\n', '\r', '\n', '\0', '\t', '\x1b', '\x7f', '\x85'];

/** `text` with a control character inserted at some position after the first. */
const withControlCharacter = (text: Arbitrary<string>): Arbitrary<string> =>
  fc.tuple(text, fc.constantFrom(...CONTROL_CHARACTERS), fc.nat()).map(([base, control, at]) => {
    // Code points, so that no surrogate pair is split.
    const chars = Array.from(base);
    chars.splice(1 + (at % Math.max(chars.length, 1)), 0, control);
    return chars.join('');
  });

/** Printable text, unicode included, that a URL or a path may carry as it is or percent-encoded. */
const printable = (maxLength: number): Arbitrary<string> =>
  fc
    .string({
      unit: fc.oneof(
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
        fc.constantFrom(' ', '%', '%0d%0a', '~', 'é', '日本', '🙂', '\u200b', '\u202e', '\u2028', '\ufeff'),
        fc.constantFrom('?', '#', '&', '=', ';', '@', '+', "'", '"', '\\', '<', '>', '...'),
      ),
      maxLength,
    })
    .map((text) => text.replace(/[\p{Cc}/]/gu, ''));

/** A path segment that is neither "." nor "..", nor starts with a dot at all. */
const segment = printable(8).filter((text) => !text.startsWith('.'));

/** Paths as the API accepts them: spaces, unicode, "%", "?" and "#" included. */
const validPaths: Arbitrary<string> = fc
  .array(segment, { maxLength: 5 })
  .map((segments) => `/${segments.join('/')}`);

const invalidPaths: Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: withControlCharacter(validPaths) },
  { weight: 2, arbitrary: fc.constant('/a\r\nX-Injected: 1') },
  fc
    .tuple(validPaths, fc.constantFrom('/..', '/.', '/../b', '/./b', '/..?x=1', '/..#top'))
    .map(([a, b]) => `${a}${b}`.replace('//', '/')),
  fc.constantFrom('orders', '', ' /a', '\\a', 'http://receiver.invalid/a', '..', './a'),
  fc.constantFrom(`/${'a'.repeat(2048)}`, `/${'é'.repeat(2048)}`),
  wrongTypes,
);

const HOSTS = [
  'receiver.invalid',
  'a-b.c.invalid',
  'café.invalid',
  'user:secret@receiver.invalid',
  '127.0.0.1',
  'localhost',
  '[::1]',
];

const validUrls: Arbitrary<string> = fc
  .tuple(
    fc.constantFrom('http', 'https', 'HTTPS'),
    fc.constantFrom(...HOSTS),
    fc.option(fc.integer({ min: 1, max: 65_535 }), { nil: undefined }),
    validPaths,
  )
  .map(([scheme, host, port, path]) => `${scheme}://${host}${port === undefined ? '' : `:${port}`}${path}`);

const invalidUrls: Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    'file:///etc/passwd',
    'file://localhost/etc/hosts',
    'gopher://127.0.0.1:70/_GET%20/',
    'javascript:alert(1)',
    'JavaScript:alert(document.cookie)',
    'ftp://receiver.invalid/',
    'data:text/plain,hi',
    'ws://receiver.invalid/',
    'mailto:ops@receiver.invalid',
    'dict://127.0.0.1:11211/stat',
    'http+unix://%2Frun%2Fsock/',
  ),
  { weight: 3, arbitrary: withControlCharacter(validUrls) },
  { weight: 2, arbitrary: fc.constant('http://receiver.invalid/a\r\nX-Injected: 1') },
  fc.constantFrom(
    '/a',
    'receiver.invalid/a',
    '//receiver.invalid/a',
    'http://',
    'https://',
    'http:// receiver.invalid/',
    'http://[::1/',
    'http://receiver.invalid:99999/',
    '',
  ),
  fc.constant(`https://receiver.invalid/${'a'.repeat(2048)}`),
  wrongTypes,
);

export const pathField = field('path', validPaths, invalidPaths);
const urlField = field('url', validUrls, invalidUrls);

/** Where a hook goes: a path or a url; wrong, both, or neither. */
export const targets = exactlyOne(['path', pathField], ['url', urlField]);

/** A valid path, as a field a body does not take. */
export const pathOnly: Arbitrary<Fields> = pathField.valid;

const MAX_POST_IN_SECS = 365 * 86_400;

const validPostIns: Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '0s',
    '30s',
    '1h30m',
    '1d2h30m45s',
    '365d',
    '8760h',
    '525600m',
    '31536000s',
    '364d23h59m59s',
  ),
  fc
    .tuple(
      fc.option(fc.integer({ min: 0, max: 365 })),
      fc.option(fc.integer({ min: 0, max: 99 })),
      fc.option(fc.integer({ min: 0, max: 999 })),
      fc.option(fc.integer({ min: 0, max: 9_999 })),
    )
    .filter(([d, h, m, s]) => [d, h, m, s].some((unit) => unit !== null))
    .filter(
      ([d, h, m, s]) => (d ?? 0) * 86_400 + (h ?? 0) * 3600 + (m ?? 0) * 60 + (s ?? 0) <= MAX_POST_IN_SECS,
    )
    .map(([d, h, m, s]) =>
      [
        [d, 'd'],
        [h, 'h'],
        [m, 'm'],
        [s, 's'],
      ]
        .filter(([count]) => count !== null)
        .map(([count, unit]) => `${String(count)}${String(unit)}`)
        .join(''),
    ),
);

const invalidPostIns: Arbitrary<unknown> = fc.oneof(
  fc.constantFrom('366d', '365d1s', '8760h1s', '31536001s', '999999999d', '1000000000s', '365d0h0m1s'),
  fc.constantFrom('', '1x', '30', 's', '1h1d', '-1s', '1.5h', ' 1h', '1h ', '1H', '１s', 'P1D', '1d 2h'),
  wrongTypes,
);

/** An instant between 1970 and 2099, in RFC 3339 with "Z" or an offset, milliseconds or not. */
export const validInstants: Arbitrary<string> = fc
  .tuple(
    fc.date({
      min: new Date('1970-01-01T00:00:00Z'),
      max: new Date('2099-12-31T00:00:00Z'),
      noInvalidDate: true,
    }),
    fc.integer({ min: -12 * 60, max: 14 * 60 }),
    fc.boolean(),
  )
  .map(([date, offsetMinutes, millis]) => {
    const local = new Date(date.getTime() + offsetMinutes * 60_000).toISOString().slice(0, millis ? 23 : 19);
    if (offsetMinutes === 0) return `${local}Z`;
    const magnitude = Math.abs(offsetMinutes);
    const hhmm = `${String(Math.floor(magnitude / 60)).padStart(2, '0')}:${String(magnitude % 60).padStart(2, '0')}`;
    return `${local}${offsetMinutes < 0 ? '-' : '+'}${hhmm}`;
  });

/** Impossible dates and times, leap seconds, missing offsets, other formats. */
export const invalidInstants: Arbitrary<string> = fc.constantFrom(
  '2030-02-30T00:00:00Z',
  '2031-02-29T00:00:00Z',
  '2030-13-01T00:00:00Z',
  '2030-00-10T00:00:00Z',
  '2030-01-01T24:00:00Z',
  '2030-01-01T00:60:00Z',
  '2030-01-01T23:59:60Z',
  '2030-01-01T00:00:00',
  '2030-01-01',
  'tomorrow',
  '',
  ' 2030-01-01T00:00:00Z',
  '2030-01-01T00:00:00Z ',
  '+275760-09-13T00:00:00Z',
  '2030/01/01 00:00:00Z',
  'Wed, 01 Jan 2030 00:00:00 GMT',
);

const validLocalTimes: Arbitrary<string> = fc
  .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true })
  .map((date) => date.toISOString().slice(0, 19));

const invalidLocalTimes: Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    '2030-02-30T09:00:00',
    '2031-02-29T09:00:00',
    '2030-04-31T09:00:00',
    '2030-01-01T24:00:00',
    '2030-01-01T09:00:60',
    '2030-01-01 09:00:00',
    '2030-01-01T09:00',
    '2030-01-01T09:00:00Z',
    '2030-01-01T09:00:00+01:00',
    '',
  ),
  wrongTypes,
);

const validTimeZones = fc.constantFrom(
  'UTC',
  'Europe/Paris',
  'America/New_York',
  'Asia/Kolkata',
  'Asia/Kathmandu',
  'Australia/Lord_Howe',
  'Pacific/Chatham',
  'America/St_Johns',
  'Etc/GMT-14',
);

const invalidTimeZones: Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    'Mars/Olympus_Mons',
    '+01:00',
    '-05:00',
    '',
    '../../etc/passwd',
    'Europe/Pariss',
    'Not/A_Zone',
    'UTC\r\nX-Injected: 1',
    '\0',
    'Europe/Paris/Extra',
  ),
  wrongTypes,
);

const postIns = field('postIn', validPostIns, invalidPostIns);
const postAts = field('postAt', validInstants, fc.oneof(invalidInstants, wrongTypes));
const localTimes = field('postAtLocal', validLocalTimes, invalidLocalTimes);
export const timeZones = field('timezone', validTimeZones, invalidTimeZones);

const DUE_TIME_FIELDS = ['postIn', 'postAt', 'postAtLocal', 'timezone'];

const validDueTimes = fc.oneof(
  postIns.valid,
  postAts.valid,
  fc.tuple(localTimes.valid, timeZones.valid).map(([local, zone]) => merge(local, zone)),
  // 02:30 does not happen that night in Paris: it moves forward to 03:30.
  fc.constant({ value: { postAtLocal: '2030-03-31T02:30:00', timezone: 'Europe/Paris' }, broken: [] }),
);

/** When a hook is due: exactly one way of saying it; or a wrong one, none, several, or half of one. */
export const dueTimes: Part = {
  valid: validDueTimes,
  invalid: fc.oneof(
    { arbitrary: postIns.invalid, weight: 3 },
    { arbitrary: postAts.invalid, weight: 3 },
    fc.tuple(localTimes.invalid, timeZones.valid).map(([local, zone]) => merge(local, zone)),
    fc.tuple(localTimes.valid, timeZones.invalid).map(([local, zone]) => merge(local, zone)),
    fc.constant({ value: {}, broken: ['postIn'] }),
    fc
      .tuple(validDueTimes, validDueTimes)
      .filter(([a, b]) => Object.keys(a.value)[0] !== Object.keys(b.value)[0])
      .map(([a, b]) => ({ ...merge(a, b), broken: DUE_TIME_FIELDS })),
    fc.tuple(validLocalTimes, fc.boolean()).map(([postAtLocal, withPostIn]) => ({
      value: withPostIn ? { postAtLocal, postIn: '1m' } : { postAtLocal },
      broken: DUE_TIME_FIELDS,
    })),
    validTimeZones.map((timezone) => ({ value: { timezone }, broken: DUE_TIME_FIELDS })),
  ),
};

/** JSON nested `depth` levels deep, in arrays or in objects. */
const nested = (depth: number, inArrays: boolean): unknown => {
  let value: unknown = inArrays ? [] : {};
  for (let level = 1; level < depth; level += 1) value = inArrays ? [value] : { a: value };
  return value;
};

/** `data`: any JSON, some with keys named like what objects inherit; or nested too deep. */
export const data: Part = optional(
  field(
    'data',
    fc
      .oneof(
        fc.jsonValue({ maxDepth: 3 }),
        fc.constantFrom({ constructor: { name: 'x' } }, { toString: 1, valueOf: [] }, 'é'.repeat(1000)),
        fc
          .tuple(fc.integer({ min: 1, max: MAX_DATA_DEPTH }), fc.boolean())
          .map(([depth, arrays]) => nested(depth, arrays)),
      )
      // What the JSON parser refuses is for the hostile-JSON requests to send.
      .filter((value) => !/__proto__|prototype/.test(JSON.stringify(value))),
    fc
      .tuple(fc.integer({ min: MAX_DATA_DEPTH + 1, max: 1_000 }), fc.boolean())
      .map(([depth, arrays]) => nested(depth, arrays)),
  ),
);

const retrySettings: Record<string, [valid: Arbitrary<unknown>, invalid: Arbitrary<unknown>]> = {
  strategy: [
    fc.constantFrom(...RETRY_STRATEGIES),
    fc.oneof(fc.constantFrom('sometimes', '', 'FIXED'), wrongTypes),
  ],
  maxAttempts: [fc.integer({ min: 1, max: 100 }), fc.constantFrom(0, 101, 1.5, -1, '3', null)],
  delaySecs: [fc.double({ min: 0, max: 86_400, noNaN: true }), fc.constantFrom(-1, 86_401, '5', null)],
  backoffFactor: [fc.double({ min: 1, max: 10, noNaN: true }), fc.constantFrom(0.99, 10.01, 0, '2')],
  maxDelaySecs: [fc.double({ min: 0, max: 7 * 86_400, noNaN: true }), fc.constantFrom(-0.5, 7 * 86_400 + 1)],
  jitter: [fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(-0.01, 1.01, 2, '0.5')],
  scheduleSecs: [
    fc.array(fc.double({ min: 0, max: 7 * 86_400, noNaN: true }), { minLength: 1, maxLength: 100 }),
    fc.constantFrom([], Array<number>(101).fill(1), [-1], ['a'], [7 * 86_400 + 1], 30),
  ],
};

/** `retryOverride`: any subset of its settings at or inside their limits, or one setting past them. */
export const retryOverrides: Part = optional({
  valid: fc
    .record(Object.fromEntries(Object.entries(retrySettings).map(([key, [good]]) => [key, good])), {
      requiredKeys: [],
    })
    .map((override) => ({ value: { retryOverride: override }, broken: [] })),
  invalid: fc.oneof(
    someWrong(Object.entries(retrySettings).map(([key, [good, bad]]) => optional(field(key, good, bad)))).map(
      ({ value, broken }) => ({
        value: { retryOverride: value },
        broken: broken.map((key) => `retryOverride.${key}`),
      }),
    ),
    fc.constantFrom({ unknown: 1 }, 'fast', 5, null, []).map((value) => ({
      value: { retryOverride: value },
      broken: ['retryOverride'],
    })),
  ),
});

export const asyncFlags: Part = optional(
  field('async', fc.boolean(), fc.constantFrom('true', 1, null, 'yes', [])),
);

const batchSettings: Record<string, [valid: Arbitrary<unknown>, invalid: Arbitrary<unknown>]> = {
  key: [
    fc.stringMatching(/^[A-Za-z0-9._:-]{1,100}$/),
    fc.constantFrom('', 'has space', 'k'.repeat(101), 'clé', 'a/b', 5, null),
  ],
  maxSize: [fc.integer({ min: 1, max: 1000 }), fc.constantFrom(0, -1, 1001, 1.5, '10', null)],
  windowSecs: [
    fc.oneof(fc.integer({ min: 1, max: 3600 }), fc.constantFrom(0.001, 0.5, 3599.5)),
    fc.constantFrom(0, -1, -0.5, 3601, '30', null),
  ],
};

/**
 * `batch` and `async` together, since a batched hook cannot be async: either one alone as its own rules
 * have it, a batch with `async: false`, or what is wrong: a setting past its limits, no key, no object,
 * or a batch on an async hook (blamed on `async`).
 */
export const batchesAndAsyncFlags: Part = {
  valid: fc.oneof(
    asyncFlags.valid,
    fc
      .tuple(
        fc.record(Object.fromEntries(Object.entries(batchSettings).map(([key, [good]]) => [key, good])), {
          requiredKeys: ['key'],
        }),
        fc.constantFrom({}, { async: false }),
      )
      .map(([batch, async]) => ({ value: { batch, ...async }, broken: [] })),
  ),
  invalid: fc.oneof(
    asyncFlags.invalid,
    someWrong(
      Object.entries(batchSettings).map(([key, [good, bad]]) =>
        key === 'key' ? field(key, good, bad) : optional(field(key, good, bad)),
      ),
    ).map(({ value, broken }) => ({ value: { batch: value }, broken: broken.map((key) => `batch.${key}`) })),
    fc.constant({ value: { batch: { maxSize: 10 } }, broken: ['batch.key'] }),
    fc.constantFrom({ key: 'k', unknown: 1 }, 'orders', 5, null, []).map((value) => ({
      value: { batch: value },
      broken: ['batch'],
    })),
    fc.constant({ value: { batch: { key: 'orders' }, async: true }, broken: ['async'] }),
  ),
};

/** A key no body schema has, some of them named like what JavaScript objects inherit. */
export const unknownKeys: Arbitrary<Fields> = fc
  .tuple(
    fc.constantFrom(
      'deliverAt',
      'Path',
      'postin',
      'id',
      'status',
      'projectId',
      'constructor',
      'toString',
      'hasOwnProperty',
      'valueOf',
      '',
      ' path',
      'path\u0000',
      '__defineGetter__',
    ),
    fc.oneof(fc.integer(), fc.string(), fc.boolean(), fc.constant(null)),
  )
  .map(([key, value]) => ({ value: { [key]: value }, broken: ['body'] }));

export const hookIds = (): Arbitrary<string> =>
  fc
    .string({ unit: fc.constantFrom(...'0123456789abcdef'.split('')), minLength: 32, maxLength: 32 })
    .map((hex) => `hk_${hex}`);

const validStatusLists = fc
  .subarray([...HOOK_STATUSES], { minLength: 1 })
  .map((statuses) => statuses.join(','));

const invalidStatusLists = fc.constantFrom(
  'done',
  'PENDING',
  'pending,',
  ',',
  'pending,,failed',
  'pending failed',
  'pending;failed',
  '',
);

const validPrefixes = printable(20).map((text) => `/${text}`);
const invalidPrefixes = fc.oneof(
  fc.constant(''),
  withControlCharacter(validPrefixes),
  fc.constant(`/${'x'.repeat(2048)}`),
);

/** A time range: one bound, or both in order; wrong, a bound that is no instant, or both out of order. */
function ranges(after: string, before: string, wrongKinds: Arbitrary<unknown>): Part {
  const ordered = fc.tuple(validInstants, validInstants).map(([a, b]) => {
    const [early, late] = Date.parse(a) <= Date.parse(b) ? [a, b] : [b, a];
    return { early, late, equal: Date.parse(early) === Date.parse(late) };
  });
  const bound = field(after, validInstants, fc.oneof(invalidInstants, wrongKinds));
  return {
    valid: fc.oneof(
      bound.valid,
      ordered
        .filter(({ equal }) => !equal)
        .map(({ early, late }) => ({ value: { [after]: early, [before]: late }, broken: [] })),
    ),
    invalid: fc.oneof(
      bound.invalid,
      ordered.map(({ early, late }) => ({ value: { [after]: late, [before]: early }, broken: [before] })),
    ),
  };
}

/**
 * The filters of listings and bulk operations; `status` is text in both. `wrongKinds` are values of the
 * wrong kind for any filter: other JSON types in a body, a repeated key in a query string.
 */
export const filterParts = (wrongKinds: Arbitrary<unknown>): Part[] => [
  optional(field('status', validStatusLists, fc.oneof(invalidStatusLists, wrongKinds))),
  optional(field('pathPrefix', validPrefixes, fc.oneof(invalidPrefixes, wrongKinds))),
  optional(ranges('postAtAfter', 'postAtBefore', wrongKinds)),
  optional(ranges('createdAfter', 'createdBefore', wrongKinds)),
];

/**
 * `token` ("payload.mac" in base64url) with one character changed, where that changes its bytes: the last
 * character of either part may carry only padding bits, and a change there can leave the token authentic.
 */
export function tampered(token: string): Arbitrary<string> {
  const positions = token
    .split('')
    .flatMap((char, at) => (char !== '.' && ![undefined, '.'].includes(token[at + 1]) ? [at] : []));
  return fc
    .tuple(fc.constantFrom(...positions), fc.constantFrom('A', 'z', '0', '_'))
    .filter(([at, char]) => token[at] !== char)
    .map(([at, char]) => token.slice(0, at) + char + token.slice(at + 1));
}

/** `token` cut short. */
export const truncated = (token: string): Arbitrary<string> =>
  fc.integer({ min: 1, max: token.length - 1 }).map((end) => token.slice(0, end));
