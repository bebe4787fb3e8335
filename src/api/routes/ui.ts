import { createHash } from 'node:crypto';
import path from 'node:path';
import { build } from 'esbuild';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';

/** The dashboard's sources, found from this file both under tsx (src/api/routes) and compiled (dist/api/routes). */
const UI_ENTRY = path.resolve(__dirname, '..', '..', '..', 'src', 'ui', 'main.tsx');

interface Asset {
  body: Buffer;
  type: string;
  /** A digest of the body: the ETag, and the version index.html asks for. */
  version: string;
}

interface Dashboard {
  html: Buffer;
  js: Asset;
  css: Asset;
}

/**
 * The page loads nothing but its own script and stylesheet and talks only to this API; Pico's icons are data:
 * URIs. Styles allow inline attributes because uPlot sizes its canvas and legend through them.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

function asset(body: Uint8Array, type: string): Asset {
  return {
    body: Buffer.from(body),
    type,
    version: createHash('sha256').update(body).digest('base64url').slice(0, 16),
  };
}

function indexHtml(js: Asset, css: Asset): Buffer {
  return Buffer.from(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>hookrelay</title>
<link rel="stylesheet" href="/ui/app.css?v=${css.version}">
<script type="module" src="/ui/app.js?v=${js.version}"></script>
</head>
<body><noscript>The hookrelay dashboard needs JavaScript.</noscript></body>
</html>
`);
}

/** One bundle per process, made on the first request: start-up pays nothing for a dashboard nobody opens. */
async function bundleDashboard(): Promise<Dashboard> {
  const result = await build({
    entryPoints: [UI_ENTRY],
    bundle: true,
    minify: true,
    write: false,
    format: 'esm',
    target: 'es2022',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    outdir: 'ui',
    entryNames: 'app',
    legalComments: 'none',
    logLevel: 'silent',
  });
  const output = (extension: string) => {
    const file = result.outputFiles.find((candidate) => candidate.path.endsWith(extension));
    if (!file) throw new Error(`the dashboard bundle has no ${extension} output`);
    return file.contents;
  };
  const js = asset(output('.js'), 'text/javascript; charset=utf-8');
  const css = asset(output('.css'), 'text/css; charset=utf-8');
  return { html: indexHtml(js, css), js, css };
}

interface AssetRequest {
  Querystring: { v?: string };
}

function sendAsset(request: FastifyRequest<AssetRequest>, reply: FastifyReply, file: Asset) {
  const etag = `"${file.version}"`;
  // index.html names each asset by its digest, so that URL can be kept for good; any other is revalidated.
  reply
    .header(
      'cache-control',
      request.query.v === file.version ? 'public, max-age=31536000, immutable' : 'no-cache',
    )
    .header('etag', etag)
    .header('x-content-type-options', 'nosniff');
  if (request.headers['if-none-match'] === etag) return reply.code(304).send();
  return reply.type(file.type).send(file.body);
}

/** The dashboard at /ui: static files only, no API key; the page signs in to the API itself. */
export const uiRoutes: FastifyPluginAsync = async (app) => {
  let dashboard: Promise<Dashboard> | undefined;
  // Whatever the outcome, one build per process: the sources do not change under a running API, and a
  // retried failure would let any request without a key start another esbuild run.
  const load = (): Promise<Dashboard> => (dashboard ??= bundleDashboard());

  const page = async (_request: FastifyRequest, reply: FastifyReply) => {
    const { html } = await load();
    return reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-cache')
      .header('content-security-policy', CONTENT_SECURITY_POLICY)
      .header('referrer-policy', 'no-referrer')
      .header('x-content-type-options', 'nosniff')
      .send(html);
  };
  const hidden = { schema: { hide: true } };
  app.get<AssetRequest>('/ui/app.js', hidden, async (request, reply) =>
    sendAsset(request, reply, (await load()).js),
  );
  app.get<AssetRequest>('/ui/app.css', hidden, async (request, reply) =>
    sendAsset(request, reply, (await load()).css),
  );
  // The router runs in the page: every other path under /ui is the same page.
  app.get('/ui', hidden, page);
  app.get('/ui/*', hidden, page);
};
