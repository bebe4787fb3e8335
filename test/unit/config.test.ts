import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { hashApiKey } from '../../src/security/api-keys';
import { ConfigError, loadConfig } from '../../src/config/load';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const SECRET = 'whsec_' + Buffer.alloc(32, 7).toString('base64');
const CALLBACK_SECRET = 'c'.repeat(40);

describe('configuration', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'hookrelay-config-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  async function writeConfig(name: string, content: string): Promise<string> {
    const file = path.join(dir, name);
    await writeFile(file, content);
    return file;
  }

  const validProject = {
    id: 'shop',
    apiKeyHashes: [hashApiKey('k1')],
    signingSecrets: [SECRET],
    baseUrl: 'https://shop.example/hooks',
  };

  it('loads the documented example file with its defaults', async () => {
    const { config, file, devCredentials } = await loadConfig({
      env: { HOOKRELAY_CONFIG: 'hookrelay.example.yaml' },
      cwd: REPO_ROOT,
    });
    assert.equal(file, path.join(REPO_ROOT, 'hookrelay.example.yaml'));
    assert.equal(devCredentials, undefined);
    assert.equal(config.projects[0]?.id, 'shop');
    assert.equal(config.projects[0].maxDataBytes, 65536);
    assert.equal(config.temporal.namespace, 'hookrelay');
    assert.equal(config.worker.metricsPort, 9464);
    assert.equal(config.worker.maxConcurrentAttempts, 100);
    assert.equal(config.worker.maxCachedWorkflows, 1000);
    assert.equal(config.dataDir, path.join(REPO_ROOT, 'data'));
  });

  it('lets environment variables override the file', async () => {
    const file = await writeConfig(
      'env.json',
      JSON.stringify({ callbackSecret: CALLBACK_SECRET, projects: [validProject] }),
    );
    const { config } = await loadConfig({
      env: {
        HOOKRELAY_CONFIG: file,
        TEMPORAL_ADDRESS: 'temporal.internal:7233',
        TEMPORAL_NAMESPACE: 'prod',
        HOOKRELAY_API_PORT: '8443',
        HOOKRELAY_API_HOST: '0.0.0.0',
        HOOKRELAY_CALLBACK_SECRET: 'from-the-environment-0123456789abcdef',
        HOOKRELAY_WORKER_METRICS_PORT: '9600',
        HOOKRELAY_WORKER_MAX_CONCURRENT_ATTEMPTS: '50',
        HOOKRELAY_WORKER_MAX_CACHED_WORKFLOWS: '0',
      },
      cwd: dir,
    });
    assert.equal(config.callbackSecret, 'from-the-environment-0123456789abcdef');
    assert.equal(
      config.api.publicUrl,
      'http://127.0.0.1:8443',
      'a wildcard listen address is reached on loopback',
    );
    assert.equal(config.temporal.address, 'temporal.internal:7233');
    assert.equal(config.temporal.namespace, 'prod');
    assert.equal(config.api.port, 8443);
    assert.equal(config.api.host, '0.0.0.0');
    assert.deepEqual(config.worker, {
      metricsHost: '127.0.0.1',
      metricsPort: 9600,
      maxConcurrentAttempts: 50,
      maxCachedWorkflows: 0,
      endpointReportIntervalMs: 1000,
      endpointStateRefreshMs: 1000,
    });
  });

  it('refuses a workflow cache smaller than the attempts a worker runs at once', async () => {
    const file = await writeConfig(
      'cache.json',
      JSON.stringify({
        callbackSecret: CALLBACK_SECRET,
        projects: [validProject],
        worker: { maxConcurrentAttempts: 200, maxCachedWorkflows: 100 },
      }),
    );
    await assert.rejects(
      loadConfig({ env: { HOOKRELAY_CONFIG: file }, cwd: dir }),
      /worker\.maxCachedWorkflows: must be 0 or at least worker\.maxConcurrentAttempts \+ 10 \(210\)/,
    );
  });

  it('names every bad field', async () => {
    const file = await writeConfig(
      'bad.yaml',
      [
        'api: { port: "eighty" }',
        'projects:',
        '  - id: Shop!',
        '    apiKeyHashes: [plain-text-key]',
        '    signingSecrets: [not-a-secret]',
        '    retry: { strategy: sometimes }',
        '    endpoints: { limits: { ratePerSecond: -5, maxInFlight: 2.5 } }',
      ].join('\n'),
    );
    await assert.rejects(loadConfig({ env: { HOOKRELAY_CONFIG: file }, cwd: dir }), (error: Error) => {
      assert.ok(error instanceof ConfigError);
      for (const field of [
        'api.port',
        'projects[0].id',
        'projects[0].apiKeyHashes[0]',
        'projects[0].signingSecrets[0]',
        'projects[0].retry.strategy',
        'projects[0].endpoints.limits.ratePerSecond',
        'projects[0].endpoints.limits.maxInFlight',
        'callbackSecret',
      ]) {
        assert.ok(error.message.includes(field), `${field} missing from:\n${error.message}`);
      }
      return true;
    });
  });

  it('requires a baseUrl unless free URLs are allowed, and unique ids and keys', async () => {
    const file = await writeConfig(
      'dupes.json',
      JSON.stringify({
        callbackSecret: CALLBACK_SECRET,
        projects: [{ ...validProject, baseUrl: undefined }, { ...validProject }],
      }),
    );
    await assert.rejects(loadConfig({ env: { HOOKRELAY_CONFIG: file }, cwd: dir }), (error: Error) => {
      assert.match(error.message, /projects\[0\]\.baseUrl/);
      assert.match(error.message, /projects\[1\]\.id: duplicate project id "shop"/);
      assert.match(error.message, /projects\[1\]\.apiKeyHashes\[0\]/);
      return true;
    });
  });

  it('reports unparsable files and missing files clearly', async () => {
    const file = await writeConfig('broken.yaml', 'projects: [\n');
    await assert.rejects(loadConfig({ env: { HOOKRELAY_CONFIG: file }, cwd: dir }), /is not valid YAML/);
    await assert.rejects(loadConfig({ env: { HOOKRELAY_CONFIG: 'nope.yaml' }, cwd: dir }), /does not exist/);
  });

  it('creates a dev project without a config file, with credentials stable across restarts', async () => {
    const cwd = await mkdtemp(path.join(tmpdir(), 'hookrelay-dev-'));
    try {
      const first = await loadConfig({ env: {}, cwd });
      const second = await loadConfig({ env: {}, cwd });
      assert.ok(first.devCredentials);
      assert.deepEqual(second.devCredentials, first.devCredentials);
      assert.equal(first.config.projects[0]?.id, 'dev');
      assert.deepEqual(first.config.projects[0].apiKeyHashes, [hashApiKey(first.devCredentials.apiKey)]);
      assert.equal(first.config.projects[0].allowUrlTargets, true);
      assert.deepEqual(first.config.projects[0].allowInternalTargets, ['localhost', '127.0.0.0/8', '::1']);
      assert.equal(first.config.callbackSecret, first.devCredentials.callbackSecret);

      // Without the allowance the default baseUrl on loopback is refused, so a public one goes with it.
      await assert.rejects(
        loadConfig({ env: { HOOKRELAY_DEV_ALLOW_INTERNAL_TARGETS: '' }, cwd }),
        /projects\[0\]\.baseUrl: 127\.0\.0\.1 is loopback/,
      );
      const off = await loadConfig({
        env: { HOOKRELAY_DEV_ALLOW_INTERNAL_TARGETS: '', HOOKRELAY_DEV_BASE_URL: 'https://receiver.example' },
        cwd,
      });
      assert.deepEqual(off.config.projects[0]?.allowInternalTargets, []);
      const listed = await loadConfig({
        env: { HOOKRELAY_DEV_ALLOW_INTERNAL_TARGETS: ' 127.0.0.1, 10.0.0.0/8 ' },
        cwd,
      });
      assert.deepEqual(listed.config.projects[0]?.allowInternalTargets, ['127.0.0.1', '10.0.0.0/8']);
    } finally {
      await rm(cwd, { recursive: true, force: true });
    }
  });

  it('refuses a baseUrl on an internal address the project does not allow, and bad allowances', async () => {
    const file = await writeConfig(
      'internal.json',
      JSON.stringify({
        callbackSecret: CALLBACK_SECRET,
        projects: [
          {
            ...validProject,
            id: 'metadata',
            apiKeyHashes: [hashApiKey('m')],
            baseUrl: 'http://169.254.169.254/',
          },
          {
            ...validProject,
            id: 'allowed',
            apiKeyHashes: [hashApiKey('a')],
            baseUrl: 'http://10.1.2.3:8080/hooks',
            allowInternalTargets: ['10.1.0.0/16'],
          },
          {
            ...validProject,
            id: 'bad',
            apiKeyHashes: [hashApiKey('b')],
            allowInternalTargets: ['10.0.0.0/40', 'Not A Host'],
          },
        ],
      }),
    );
    await assert.rejects(loadConfig({ env: { HOOKRELAY_CONFIG: file }, cwd: dir }), (error: Error) => {
      assert.match(error.message, /projects\[0\]\.baseUrl: 169\.254\.169\.254 is link-local/);
      assert.doesNotMatch(error.message, /projects\[1\]/);
      assert.match(error.message, /projects\[2\]\.allowInternalTargets\[0\]: must be an IP address, a CIDR/);
      assert.match(error.message, /projects\[2\]\.allowInternalTargets\[1\]/);
      return true;
    });
  });
});
