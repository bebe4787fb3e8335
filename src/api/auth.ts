import type { FastifyInstance, FastifyRequest } from 'fastify';
import { hashApiKey } from '../security/api-keys';
import type { ProjectConfig } from '../config/schema';
import { ApiError } from './errors';

declare module 'fastify' {
  interface FastifyRequest {
    /** The project the request's API key belongs to; set before any authenticated handler runs. */
    project: ProjectConfig;
  }
}

/** The key from `X-API-Key: <key>` or `Authorization: Bearer <key>`. */
function presentedKey(request: FastifyRequest): string | undefined {
  const header = request.headers['x-api-key'];
  if (typeof header === 'string' && header) return header;
  const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
  return match?.[1];
}

/**
 * Requires a valid API key on every route of the plugin it is called in. Keys are looked up by hash,
 * as the config keeps them, so the server never holds a usable key in memory beyond the request.
 */
export function requireApiKey(app: FastifyInstance, projects: readonly ProjectConfig[]): void {
  const projectsByKeyHash = new Map(
    projects.flatMap((project) => project.apiKeyHashes.map((hash) => [hash, project])),
  );
  app.decorateRequest('project', undefined as unknown as ProjectConfig);
  app.addHook('onRequest', async (request) => {
    const key = presentedKey(request);
    if (!key)
      throw new ApiError(401, 'unauthorized', 'send an API key in X-API-Key or Authorization: Bearer');
    const project = projectsByKeyHash.get(hashApiKey(key));
    if (!project) throw new ApiError(401, 'unauthorized', 'unknown API key');
    request.project = project;
  });
}
