import type { FastifyRequest } from 'fastify';

/** An ack/nack token is a bearer credential: it must never reach the logs with the request URL. */
export function redactCallbackToken(url: string): string {
  return url.replace(/\/v1\/callbacks\/[^/?#]+/, '/v1/callbacks/<redacted>');
}

/** How a request appears in the request log lines Fastify writes. */
export function serializeRequest(request: FastifyRequest) {
  return {
    method: request.method,
    url: redactCallbackToken(request.url),
    host: request.host,
    remoteAddress: request.ip,
  };
}
