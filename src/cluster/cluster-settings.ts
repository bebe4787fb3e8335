import { nonEmpty } from '../lib/cache-dir';
import { DEFAULT_CLUSTER_POSTGRES_URL, parsePostgresUrl, type PostgresTarget } from './postgres-target';
import { MAX_MEMBERSHIP_PORT } from './server-config';

/** What `npm run cluster` takes from its environment, beyond hookrelay's own config. */
export interface ClusterSettings {
  postgres: PostgresTarget;
  /** The Temporal frontend's port on 127.0.0.1. */
  temporalPort: number;
  workers: number;
  apis: number;
}

/** Temporal's own default frontend port, as in docker-compose.yml. */
const DEFAULT_TEMPORAL_PORT = 7233;
/** The server's membership ports lie 300 below its service ports, and must fit a smallint. */
const MAX_TEMPORAL_PORT = MAX_MEMBERSHIP_PORT + 300 - 6;
const DEFAULT_REPLICAS = 2;
const MAX_REPLICAS = 16;

/**
 * HOOKRELAY_CLUSTER_POSTGRES_URL, HOOKRELAY_CLUSTER_TEMPORAL_PORT, HOOKRELAY_CLUSTER_WORKERS and
 * HOOKRELAY_CLUSTER_APIS, each with its default; an invalid value fails naming its variable.
 */
export function clusterSettingsFromEnv(env: NodeJS.ProcessEnv): ClusterSettings {
  const postgresUrl = nonEmpty(env.HOOKRELAY_CLUSTER_POSTGRES_URL) ?? DEFAULT_CLUSTER_POSTGRES_URL;
  let postgres: PostgresTarget;
  try {
    postgres = parsePostgresUrl(postgresUrl);
  } catch (error) {
    throw new Error(
      `HOOKRELAY_CLUSTER_POSTGRES_URL: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return {
    postgres,
    temporalPort: integerVariable(
      env,
      'HOOKRELAY_CLUSTER_TEMPORAL_PORT',
      DEFAULT_TEMPORAL_PORT,
      1_024,
      MAX_TEMPORAL_PORT,
    ),
    workers: integerVariable(env, 'HOOKRELAY_CLUSTER_WORKERS', DEFAULT_REPLICAS, 1, MAX_REPLICAS),
    apis: integerVariable(env, 'HOOKRELAY_CLUSTER_APIS', DEFAULT_REPLICAS, 1, MAX_REPLICAS),
  };
}

function integerVariable(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const text = nonEmpty(env[name]);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new Error(`${name} must be a whole number from ${min} to ${max}, got "${text}"`);
  }
  return value;
}
