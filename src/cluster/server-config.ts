import YAML from 'yaml';
import { type PostgresTarget, postgresAddress } from './postgres-target';

export const SERVER_SERVICES = ['frontend', 'history', 'matching', 'worker'] as const;
export type ServerService = (typeof SERVER_SERVICES)[number];

/** Each service's gRPC port, and the port its membership (ringpop) gossip listens on. */
export type ServicePorts = Record<ServerService, { grpc: number; membership: number }>;

/**
 * Temporal's own layout around a frontend port: with 7233, the ports of its development configs and of
 * docker-compose.yml's image (history 7234, matching 7235, worker 7239, membership 300 below each). The
 * same ports on every start matter: the server records its members' addresses in the database, and a
 * restart on other ports keeps looking for the old ones for a minute.
 */
export function conventionalServicePorts(frontend: number): ServicePorts {
  const offsets: Record<ServerService, number> = { frontend: 0, history: 1, matching: 2, worker: 6 };
  return Object.fromEntries(
    SERVER_SERVICES.map((service) => [
      service,
      { grpc: frontend + offsets[service], membership: frontend + offsets[service] - 300 },
    ]),
  ) as ServicePorts;
}

/** The highest membership port the server can record: it keeps them in a PostgreSQL smallint. */
export const MAX_MEMBERSHIP_PORT = 32_767;

export interface ServerConfigOptions {
  postgres: PostgresTarget;
  ports: ServicePorts;
  /** The dynamic config file the server reads, and reads again when it changes. */
  dynamicConfigFile: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
}

/**
 * Shards split the history service's work; their number is fixed once the database exists. 4 is what
 * Temporal's own development configs use for one host, and it starts in about 1.5 s.
 */
const HISTORY_SHARDS = 4;

/**
 * Connections per pool. Each of the four services keeps its own pools, one per store, so one server opens
 * up to 4 × (8 + 4) = 48 connections: under PostgreSQL's default limit of 100, with room to spare.
 */
const POOLS = { default: 8, visibility: 4 } as const;
const CLUSTER_NAME = 'active';

/**
 * The server's YAML config: all four services on loopback in one process, both stores on PostgreSQL, no
 * metrics endpoint, archival off. What `temporalio/auto-setup` would generate for docker-compose.yml, on
 * ports of our choosing.
 */
export function serverConfigYaml(options: ServerConfigOptions): string {
  const { postgres, ports } = options;
  const store = (databaseName: string, connections: number) => ({
    sql: {
      pluginName: 'postgres12',
      databaseName,
      connectAddr: postgresAddress(postgres),
      connectProtocol: 'tcp',
      user: postgres.user,
      password: postgres.password,
      maxConns: connections,
      maxIdleConns: connections,
      maxConnLifetime: '1h',
    },
  });
  const config = {
    log: { stdout: true, level: options.logLevel },
    persistence: {
      defaultStore: 'postgres-default',
      visibilityStore: 'postgres-visibility',
      numHistoryShards: HISTORY_SHARDS,
      datastores: {
        'postgres-default': store(postgres.database, POOLS.default),
        'postgres-visibility': store(postgres.visibilityDatabase, POOLS.visibility),
      },
    },
    global: { membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' } },
    services: Object.fromEntries(
      SERVER_SERVICES.map((service) => [
        service,
        {
          rpc: {
            grpcPort: ports[service].grpc,
            membershipPort: ports[service].membership,
            bindOnLocalHost: true,
          },
        },
      ]),
    ),
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: CLUSTER_NAME,
      currentClusterName: CLUSTER_NAME,
      clusterInformation: {
        [CLUSTER_NAME]: {
          enabled: true,
          initialFailoverVersion: 1,
          rpcName: 'frontend',
          rpcAddress: `127.0.0.1:${ports.frontend.grpc}`,
        },
      },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } },
    namespaceDefaults: { archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } } },
    dynamicConfigClient: { filepath: options.dynamicConfigFile, pollInterval: '10s' },
  };
  return YAML.stringify(config);
}

/** Dynamic config values in the file format: each key a list of values, here without constraints. */
export function dynamicConfigYaml(values: Readonly<Record<string, string | number | boolean>>): string {
  return YAML.stringify(Object.fromEntries(Object.entries(values).map(([key, value]) => [key, [{ value }]])));
}
