import fc, { type Arbitrary } from 'fast-check';
import type { ExpectedError } from '../api-error';
import { type Expected, NOT_FOUND } from './fuzz-request';

/**
 * Requests only a raw socket can send: headers past Node's limit, malformed request lines and headers,
 * and request targets with "..", spaces, CR/LF or raw unicode that an HTTP client would have rewritten.
 * Each is the whole request text; the request line and `expected` are what a failure reports.
 */
export interface RawRequest {
  text: string;
  requestLine: string;
  expected: Expected;
}

/** Node's default limit on the request line and headers together. */
const HEADER_LIMIT = 16 * 1024;

const HEADERS_TOO_LARGE: ExpectedError = { status: 431, code: 'headers_too_large' };
const MALFORMED: ExpectedError = { status: 400, code: 'invalid_request' };

const request = (requestLine: string, headers: string[], expected: Expected): RawRequest => ({
  text: [requestLine, 'Host: 127.0.0.1', ...headers, 'Connection: close', '', ''].join('\r\n'),
  requestLine: requestLine.slice(0, 120),
  expected,
});

const oversized = (apiKey: string): Arbitrary<RawRequest> =>
  fc.oneof(
    fc
      .integer({ min: HEADER_LIMIT + 1, max: 4 * HEADER_LIMIT })
      .map((size) => request('GET /healthz HTTP/1.1', [`X-Fill: ${'a'.repeat(size)}`], HEADERS_TOO_LARGE)),
    fc.integer({ min: Math.ceil(HEADER_LIMIT / 100) + 1, max: 400 }).map((count) =>
      request(
        'POST /v1/hooks HTTP/1.1',
        Array.from({ length: count }, (_, index) => `X-Fill-${index}: ${'b'.repeat(90)}`),
        HEADERS_TOO_LARGE,
      ),
    ),
    fc
      .integer({ min: HEADER_LIMIT + 1, max: 4 * HEADER_LIMIT })
      .map((size) =>
        request(
          `GET /v1/hooks?pathPrefix=${'c'.repeat(size)} HTTP/1.1`,
          [`X-API-Key: ${apiKey}`],
          HEADERS_TOO_LARGE,
        ),
      ),
    fc
      .integer({ min: HEADER_LIMIT + 1, max: 2 * HEADER_LIMIT })
      .map((size) =>
        request('GET /v1/hooks HTTP/1.1', [`X-API-Key: ${'k'.repeat(size)}`], HEADERS_TOO_LARGE),
      ),
  );

/** Request lines and headers that are not HTTP/1.1. */
const malformed = (apiKey: string): Arbitrary<RawRequest> =>
  fc.oneof(
    fc
      .constantFrom(
        'GET /v1/hooks/a b HTTP/1.1',
        'G\u0001T /healthz HTTP/1.1',
        'GET /healthz HTTP/1.1 extra',
        'GET\t/healthz HTTP/1.1',
        // Unicode goes percent-encoded in a request target; raw, it is not HTTP.
        'GET /v1/hooks/café HTTP/1.1',
        'GET /v1/hooks/日本 HTTP/1.1',
      )
      .map((line) => request(line, [`X-API-Key: ${apiKey}`], MALFORMED)),
    fc
      .constantFrom(
        ['X-Bad: a\u0000b'],
        ['X Bad: 1'],
        ['X-Bad\u0001: 1'],
        ['Content-Length: 5', 'Transfer-Encoding: chunked'],
        ['Content-Length: abc'],
        ['Content-Length: 1', 'Content-Length: 2'],
      )
      .map((headers) => request('POST /v1/hooks HTTP/1.1', [`X-API-Key: ${apiKey}`, ...headers], MALFORMED)),
  );

/**
 * Targets that reach the router as they are: no route, or an id that is no hook. A request line cut short
 * by CR/LF is read as a request without a version, and what followed the break as a header.
 */
const rawTargets = (apiKey: string): Arbitrary<RawRequest> =>
  fc
    .constantFrom(
      '/v1/hooks/a\r\nX-Injected: 1',
      '/v1/hooks/a\nX-Injected: 1',
      '/v1/hooks/../healthz',
      '/v1/hooks/./x/..',
      '/v1/hooks/%2e%2e',
      '/v1/hooks/%0d%0aX-Injected:%201',
      '/v1/hooks/%F0%9F%99%82',
    )
    .map((target) => request(`GET ${target} HTTP/1.1`, [`X-API-Key: ${apiKey}`], NOT_FOUND));

export const socketRequests = (apiKey: string): Arbitrary<RawRequest> =>
  fc.oneof(oversized(apiKey), malformed(apiKey), rawTargets(apiKey));
