/** Where the cluster's Temporal server keeps its data: a PostgreSQL server and two databases on it. */
export interface PostgresTarget {
  host: string;
  port: number;
  user: string;
  password: string;
  /** Workflow histories, timers, task queues, namespaces. */
  database: string;
  /** Visibility: what list queries and search attributes read. */
  visibilityDatabase: string;
}

export const DEFAULT_CLUSTER_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/hookrelay_temporal';

// The SQL tool interpolates names into statements unquoted in places; plain names need no quoting.
const DATABASE_NAME = /^[a-z_][a-z0-9_]{0,49}$/;

/**
 * Reads a `postgres://user:password@host:port/database` URL. The database holds Temporal's data; the
 * visibility database beside it is named `<database>_visibility`.
 */
export function parsePostgresUrl(text: string): PostgresTarget {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`not a URL: ${text}`);
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new Error(`expected a postgres:// URL, got ${url.protocol}//`);
  }
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!DATABASE_NAME.test(database)) {
    throw new Error(
      `the database in ${redacted(url)} must be a plain lower-case name (letters, digits, _), got "${database}"`,
    );
  }
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port === '' ? 5432 : Number(url.port),
    user: decodeURIComponent(url.username) || 'postgres',
    password: decodeURIComponent(url.password),
    database,
    visibilityDatabase: `${database}_visibility`,
  };
}

/** host:port as Go's net package writes it. */
export function postgresAddress(target: PostgresTarget): string {
  return target.host.includes(':') ? `[${target.host}]:${target.port}` : `${target.host}:${target.port}`;
}

function redacted(url: URL): string {
  const copy = new URL(url.href);
  if (copy.password !== '') copy.password = '***';
  return copy.href;
}
