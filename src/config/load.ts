import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import YAML from 'yaml';
import { formatIssuePath } from '../lib/issue-path';
import { type DevCredentials, devProjectConfig, loadDevCredentials } from './dev-project';
import { type AppConfig, configSchema } from './schema';

export class ConfigError extends Error {}

export interface LoadedConfig {
  config: AppConfig;
  /** The config file read, or undefined when the dev project stands in for one. */
  file?: string;
  /** Present when no config file exists and the dev project was used. */
  devCredentials?: DevCredentials;
}

const DEFAULT_FILES = ['hookrelay.yaml', 'hookrelay.yml', 'hookrelay.json'];

/** Environment variables and the config field each one sets; the environment wins over the file. */
const ENV_FIELDS: Record<string, readonly string[]> = {
  HOOKRELAY_DATA_DIR: ['dataDir'],
  HOOKRELAY_API_HOST: ['api', 'host'],
  HOOKRELAY_API_PORT: ['api', 'port'],
  HOOKRELAY_PUBLIC_URL: ['api', 'publicUrl'],
  HOOKRELAY_CALLBACK_SECRET: ['callbackSecret'],
  HOOKRELAY_DEV_SERVER_PORT: ['devServer', 'port'],
  HOOKRELAY_DEV_SERVER_UI_PORT: ['devServer', 'uiPort'],
  HOOKRELAY_DEV_SERVER_SQLITE_SYNCHRONOUS: ['devServer', 'sqliteSynchronous'],
  HOOKRELAY_WORKER_METRICS_HOST: ['worker', 'metricsHost'],
  HOOKRELAY_WORKER_METRICS_PORT: ['worker', 'metricsPort'],
  HOOKRELAY_WORKER_MAX_CONCURRENT_ATTEMPTS: ['worker', 'maxConcurrentAttempts'],
  HOOKRELAY_WORKER_MAX_CACHED_WORKFLOWS: ['worker', 'maxCachedWorkflows'],
  TEMPORAL_ADDRESS: ['temporal', 'address'],
  TEMPORAL_NAMESPACE: ['temporal', 'namespace'],
  TEMPORAL_TASK_QUEUE: ['temporal', 'taskQueue'],
  HOOKRELAY_RETENTION_DAYS: ['temporal', 'retentionDays'],
  TEMPORAL_API_KEY: ['temporal', 'apiKey'],
  HOOKRELAY_TEMPORAL_UI_URL: ['temporal', 'webUiUrl'],
  TEMPORAL_TLS_SERVER_NAME: ['temporal', 'tls', 'serverName'],
  TEMPORAL_TLS_CA: ['temporal', 'tls', 'serverRootCaPath'],
  TEMPORAL_TLS_CERT: ['temporal', 'tls', 'clientCertPath'],
  TEMPORAL_TLS_KEY: ['temporal', 'tls', 'clientKeyPath'],
};

type RawConfig = Record<string, unknown>;

/**
 * Loads the configuration: the file named by HOOKRELAY_CONFIG (or hookrelay.yaml/.yml/.json in the
 * working directory), then environment overrides, validated as a whole so every error names its field.
 * Without a file, a dev project with stable generated credentials is used.
 */
export async function loadConfig(
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<LoadedConfig> {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const file = findConfigFile(env, cwd);
  const raw = file ? await readConfigFile(file) : {};
  applyEnvOverrides(raw, env);

  let devCredentials: DevCredentials | undefined;
  if (!file) {
    const dataDir = path.resolve(cwd, typeof raw.dataDir === 'string' ? raw.dataDir : 'data');
    devCredentials = await loadDevCredentials(dataDir);
    raw.projects = [
      devProjectConfig(
        devCredentials,
        env.HOOKRELAY_DEV_BASE_URL ?? 'http://127.0.0.1:8080',
        listVariable(env.HOOKRELAY_DEV_ALLOW_INTERNAL_TARGETS),
      ),
    ];
    raw.callbackSecret ??= devCredentials.callbackSecret;
  }

  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `  ${formatIssuePath(issue.path) || '(root)'}: ${issue.message}`,
    );
    throw new ConfigError(`invalid configuration in ${file ?? 'the environment'}:\n${problems.join('\n')}`);
  }
  const config = { ...parsed.data, dataDir: path.resolve(cwd, parsed.data.dataDir) };
  return { config, file, devCredentials };
}

/** A comma-separated list; set but empty means an empty list, unset means the default. */
function listVariable(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}

function findConfigFile(env: NodeJS.ProcessEnv, cwd: string): string | undefined {
  if (env.HOOKRELAY_CONFIG) {
    const file = path.resolve(cwd, env.HOOKRELAY_CONFIG);
    if (!existsSync(file)) throw new ConfigError(`HOOKRELAY_CONFIG names ${file}, which does not exist`);
    return file;
  }
  return DEFAULT_FILES.map((name) => path.join(cwd, name)).find((candidate) => existsSync(candidate));
}

async function readConfigFile(file: string): Promise<RawConfig> {
  const text = await readFile(file, 'utf8');
  let content: unknown;
  try {
    content = file.endsWith('.json') ? JSON.parse(text) : YAML.parse(text);
  } catch (error) {
    throw new ConfigError(
      `${file} is not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${String(error)}`,
    );
  }
  if (!isRecord(content)) throw new ConfigError(`${file} must hold an object at the top level`);
  return content;
}

function applyEnvOverrides(raw: RawConfig, env: NodeJS.ProcessEnv): void {
  for (const [name, fieldPath] of Object.entries(ENV_FIELDS)) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    let target = raw;
    for (const key of fieldPath.slice(0, -1)) {
      const next = target[key];
      target[key] = isRecord(next) ? next : {};
      target = target[key] as RawConfig;
    }
    // Numeric-looking values become numbers so that ports validate; anything else stays a string.
    target[fieldPath.at(-1) as string] = /^\d+$/.test(value) ? Number(value) : value;
  }
}

function isRecord(value: unknown): value is RawConfig {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
