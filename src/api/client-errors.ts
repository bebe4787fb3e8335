import { maxHeaderSize, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { ConnectionError } from 'fastify';
import { ApiError, errorBody } from './errors';

/** What the API answers for a request that Node's HTTP parser refused before any route could see it. */
function toApiError(error: ConnectionError): ApiError {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return new ApiError(
        431,
        'headers_too_large',
        `the request line and headers must fit in ${maxHeaderSize} bytes`,
      );
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new ApiError(408, 'request_timeout', 'the request did not arrive in time');
    default:
      return new ApiError(400, 'invalid_request', 'the request is not well-formed HTTP/1.1');
  }
}

/**
 * Answers requests that never became one (oversized headers, a malformed request line) in the API's error
 * format rather than Fastify's, then closes the connection: whatever follows on it cannot be trusted.
 */
export function answerClientError(error: ConnectionError, socket: Socket): void {
  // A connection reset or an already closed socket has no one left to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  if (socket.writable) {
    const apiError = toApiError(error);
    const body = JSON.stringify(errorBody(apiError));
    socket.write(
      `HTTP/1.1 ${apiError.statusCode} ${STATUS_CODES[apiError.statusCode] ?? ''}\r\n` +
        'Content-Type: application/json; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        'Connection: close\r\n\r\n' +
        body,
    );
  }
  socket.destroy(error);
}
