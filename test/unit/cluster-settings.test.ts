import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import YAML from 'yaml';
import { clusterSettingsFromEnv } from '../../src/cluster/cluster-settings';
import { parsePostgresUrl } from '../../src/cluster/postgres-target';
import { conventionalServicePorts, serverConfigYaml } from '../../src/cluster/server-config';
import { TEMPORAL_SERVER_VERSION } from '../../src/cluster/temporal-server-binaries';

const REPO_ROOT = path.resolve(__dirname, '..', '..');

describe('npm run cluster settings', () => {
  it('defaults to hookrelay_temporal on the local PostgreSQL, Temporal on 7233, two of each process', () => {
    assert.deepEqual(clusterSettingsFromEnv({}), {
      postgres: {
        host: '127.0.0.1',
        port: 5432,
        user: 'postgres',
        password: '',
        database: 'hookrelay_temporal',
        visibilityDatabase: 'hookrelay_temporal_visibility',
      },
      temporalPort: 7233,
      workers: 2,
      apis: 2,
    });
  });

  it('takes every setting from its variable, and names the variable of a bad one', () => {
    const settings = clusterSettingsFromEnv({
      HOOKRELAY_CLUSTER_POSTGRES_URL: 'postgresql://temporal:s%40cret@[::1]:6543/relay',
      HOOKRELAY_CLUSTER_TEMPORAL_PORT: '17233',
      HOOKRELAY_CLUSTER_WORKERS: '3',
      HOOKRELAY_CLUSTER_APIS: '1',
    });
    assert.deepEqual(settings.postgres, {
      host: '::1',
      port: 6543,
      user: 'temporal',
      password: 's@cret',
      database: 'relay',
      visibilityDatabase: 'relay_visibility',
    });
    assert.deepEqual([settings.temporalPort, settings.workers, settings.apis], [17233, 3, 1]);
    assert.throws(
      () => clusterSettingsFromEnv({ HOOKRELAY_CLUSTER_TEMPORAL_PORT: '40000' }),
      /HOOKRELAY_CLUSTER_TEMPORAL_PORT must be a whole number from 1024 to 33061/,
    );
    assert.throws(
      () => clusterSettingsFromEnv({ HOOKRELAY_CLUSTER_WORKERS: '0' }),
      /HOOKRELAY_CLUSTER_WORKERS must be a whole number from 1 to 16, got "0"/,
    );
    assert.throws(
      () => clusterSettingsFromEnv({ HOOKRELAY_CLUSTER_POSTGRES_URL: 'mysql://127.0.0.1/x' }),
      /HOOKRELAY_CLUSTER_POSTGRES_URL: expected a postgres:\/\/ URL/,
    );
  });

  it('refuses database names the SQL tool would have to quote, without showing the password', () => {
    assert.throws(
      () => parsePostgresUrl('postgres://u:hunter2@127.0.0.1/Temporal-DB'),
      (error: Error) => error.message.includes('plain lower-case name') && !error.message.includes('hunter2'),
    );
  });
});

describe('the Temporal server config', () => {
  const config = YAML.parse(
    serverConfigYaml({
      postgres: parsePostgresUrl('postgres://postgres@127.0.0.1:5432/hookrelay_temporal'),
      ports: conventionalServicePorts(7233),
      dynamicConfigFile: '/data/cluster/dynamicconfig.yaml',
      logLevel: 'warn',
    }),
  ) as {
    persistence: {
      numHistoryShards: number;
      defaultStore: string;
      visibilityStore: string;
      datastores: Record<string, { sql: { pluginName: string; databaseName: string; connectAddr: string } }>;
    };
    services: Record<string, { rpc: { grpcPort: number; membershipPort: number; bindOnLocalHost: boolean } }>;
    dynamicConfigClient: { filepath: string };
  };

  it('keeps both stores on PostgreSQL, each in its own database', () => {
    const { persistence } = config;
    assert.equal(persistence.numHistoryShards, 4);
    const store = (name: string) => persistence.datastores[name]?.sql;
    assert.equal(store(persistence.defaultStore)?.databaseName, 'hookrelay_temporal');
    assert.equal(store(persistence.visibilityStore)?.databaseName, 'hookrelay_temporal_visibility');
    for (const name of [persistence.defaultStore, persistence.visibilityStore]) {
      assert.equal(store(name)?.pluginName, 'postgres12');
      assert.equal(store(name)?.connectAddr, '127.0.0.1:5432');
    }
  });

  it("runs the four services on loopback, on Temporal's own ports around 7233", () => {
    assert.deepEqual(
      Object.entries(config.services).map(([name, { rpc }]) => [
        name,
        rpc.grpcPort,
        rpc.membershipPort,
        rpc.bindOnLocalHost,
      ]),
      [
        ['frontend', 7233, 6933, true],
        ['history', 7234, 6934, true],
        ['matching', 7235, 6935, true],
        ['worker', 7239, 6939, true],
      ],
    );
    assert.equal(config.dynamicConfigClient.filepath, '/data/cluster/dynamicconfig.yaml');
  });

  it('is the version the pinned Go module builds', () => {
    const goMod = readFileSync(path.join(REPO_ROOT, 'tools', 'temporal-server', 'go.mod'), 'utf8');
    assert.match(
      goMod,
      new RegExp(`^\\s*go\\.temporal\\.io/server v${TEMPORAL_SERVER_VERSION.replace(/\./g, '\\.')}\\b`, 'm'),
    );
    assert.match(
      goMod,
      /^tool \(\n\tgo\.temporal\.io\/server\/cmd\/server\n\tgo\.temporal\.io\/server\/cmd\/tools\/sql\n\)/m,
    );
  });
});
