import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { it } from 'node:test';
import YAML from 'yaml';

const REPO_ROOT = path.resolve(__dirname, '..', '..');

interface ComposeService {
  image?: string;
  build?: string;
  command?: string[];
  deploy?: { replicas?: number };
  environment?: Record<string, string>;
}

// No Docker engine runs where the tests run, so this checks what can be checked without one.
it('docker-compose.yml parses and describes the production stack', () => {
  const compose = YAML.parse(readFileSync(path.join(REPO_ROOT, 'docker-compose.yml'), 'utf8'), {
    merge: true,
  }) as { services: Record<string, ComposeService> };
  const { services } = compose;
  for (const name of ['postgresql', 'temporal', 'temporal-setup', 'temporal-ui', 'api', 'worker']) {
    assert.ok(services[name], `service ${name}`);
  }
  for (const [name, service] of Object.entries(services)) {
    if (service.image && !service.build && name !== 'worker') {
      assert.match(service.image, /:[\w.-]+$/, `${name} pins its image tag`);
    }
  }
  assert.equal(services.temporal?.environment?.DB, 'postgres12');
  assert.ok((services.worker?.deploy?.replicas ?? 0) >= 2, 'the worker is scaled out');
  assert.deepEqual(services.worker?.command, ['node', 'dist/main/worker.js']);
  assert.deepEqual(services.api?.command, ['node', 'dist/main/api.js']);
  assert.ok(existsSync(path.join(REPO_ROOT, 'src/main/worker.ts')));
  assert.ok(existsSync(path.join(REPO_ROOT, 'src/main/api.ts')));
  assert.ok(existsSync(path.join(REPO_ROOT, services.api.build ?? '', 'Dockerfile')));
  assert.equal(services.worker.environment?.TEMPORAL_ADDRESS, 'temporal:7233');
});
