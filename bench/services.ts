import { canConnect } from '../src/lib/ports';

/**
 * The shared services the queue alternatives run on. Both are reached on loopback only: the benchmark
 * must never send load to another machine, so any other host is refused.
 */
export interface ServiceEndpoints {
  redis: { host: string; port: number };
  /** A PostgreSQL connection string. */
  postgres: string;
}

export type ServiceName = 'redis' | 'postgres';

const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
const DEFAULT_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

function loopbackUrl(variable: string, fallback: string): URL {
  const text = process.env[variable] || fallback;
  const url = new URL(text);
  if (!isLoopback(url.hostname)) {
    throw new Error(
      `${variable} must point at this machine (127.0.0.1, localhost or [::1]), not ${url.hostname}`,
    );
  }
  return url;
}

/** BENCH_REDIS_URL and BENCH_POSTGRES_URL, defaulting to the standard ports on 127.0.0.1. */
export function serviceEndpoints(): ServiceEndpoints {
  const redis = loopbackUrl('BENCH_REDIS_URL', DEFAULT_REDIS_URL);
  const postgres = loopbackUrl('BENCH_POSTGRES_URL', DEFAULT_POSTGRES_URL);
  return {
    redis: { host: redis.hostname.replace(/^\[|\]$/g, ''), port: Number(redis.port || 6379) },
    postgres: postgres.toString(),
  };
}

function endpointOf(service: ServiceName, endpoints: ServiceEndpoints): { host: string; port: number } {
  if (service === 'redis') return endpoints.redis;
  const url = new URL(endpoints.postgres);
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || 5432) };
}

/** Fails with a message that says what to start, rather than letting a library retry forever. */
export async function assertServicesReachable(
  services: ReadonlySet<ServiceName>,
  endpoints: ServiceEndpoints,
): Promise<void> {
  const problems: string[] = [];
  for (const service of services) {
    const { host, port } = endpointOf(service, endpoints);
    if (!(await canConnect(host, port, 2_000))) {
      const name = service === 'redis' ? 'Redis' : 'PostgreSQL';
      const variable = service === 'redis' ? 'BENCH_REDIS_URL' : 'BENCH_POSTGRES_URL';
      problems.push(`${name} is not reachable on ${host}:${port} (start it, or set ${variable})`);
    }
  }
  if (problems.length > 0) {
    throw new Error(`The benchmark needs services that are not running:\n  ${problems.join('\n  ')}`);
  }
}
