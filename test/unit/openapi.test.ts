import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from '@temporalio/client';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { generateSigningSecret } from '../../src/security/signing';
import { hashApiKey } from '../../src/security/api-keys';
import { generateServerSecret } from '../../src/security/server-secret';
import { configSchema } from '../../src/config/schema';
import { composeApp } from '../../src/main/compose';

interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, unknown>>;
}

const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

/**
 * Routes that serve the documentation itself or the dashboard's pages, and so are rightly absent from
 * it. HEAD routes are left out too: Fastify adds one to every GET route.
 */
function isHelperRoute(method: string, path: string): boolean {
  const pages = ['/docs', '/ui'];
  return (
    method === 'HEAD' ||
    path === '/openapi.json' ||
    pages.some((page) => path === page || path.startsWith(`${page}/`))
  );
}

/** Fastify's `/v1/hooks/:id` is OpenAPI's `/v1/hooks/{id}`. */
function openApiPath(fastifyPath: string): string {
  return fastifyPath.replace(/:(\w+)/g, '{$1}');
}

describe('OpenAPI document', () => {
  let app: FastifyInstance;
  const registered: RouteOptions[] = [];

  before(async () => {
    const config = configSchema.parse({
      callbackSecret: generateServerSecret(),
      projects: [
        {
          id: 'docs',
          apiKeyHashes: [hashApiKey('docs-key')],
          signingSecrets: [generateSigningSecret()],
          baseUrl: 'https://receiver.example',
        },
      ],
    });
    // A lazy client: building the app and serving the documents never reach Temporal.
    app = await composeApp(config, new Client(), {
      logger: false,
      onRoute: (route) => registered.push(route),
    });
  });
  after(() => app.close());

  it('documents every route the API serves, and nothing else', async () => {
    const response = await app.inject({ method: 'GET', url: '/openapi.json' });
    assert.equal(response.statusCode, 200);
    const document = response.json<OpenApiDocument>();
    assert.equal(document.openapi, '3.1.0');

    const served = registered
      .flatMap((route) => [route.method].flat().map((method) => ({ method, path: route.url })))
      .filter(({ method, path }) => !isHelperRoute(method, path))
      .map(({ method, path }) => `${method} ${openApiPath(path)}`);
    const documented = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.keys(operations)
        .filter((key) => HTTP_METHODS.has(key))
        .map((method) => `${method.toUpperCase()} ${path}`),
    );
    assert.ok(served.includes('GET /metrics'), 'the route list is complete enough to trust');
    assert.deepEqual([...new Set(documented)].sort(), [...new Set(served)].sort());
  });

  it('serves the Swagger UI page at /docs', async () => {
    const response = await app.inject({ method: 'GET', url: '/docs' });
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /^text\/html/);
    assert.match(response.body, /<div id="swagger-ui">/);

    const initializer = await app.inject({ method: 'GET', url: '/docs/static/swagger-initializer.js' });
    assert.equal(initializer.statusCode, 200);
    const ui = await app.inject({ method: 'GET', url: '/docs/json' });
    assert.deepEqual(ui.json(), (await app.inject({ method: 'GET', url: '/openapi.json' })).json());
  });
});
