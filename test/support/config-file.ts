import { writeFile } from 'node:fs/promises';
import path from 'node:path';

/** One project of a config file, as the tests that run our entry points as processes write it. */
export interface ConfigFileProject {
  id: string;
  apiKeyHash: string;
  signingSecret: string;
  baseUrl: string;
  /** More settings of the project, as the config file takes them (e.g. `endpoints`). */
  more?: Record<string, unknown>;
}

/**
 * Writes `hookrelay.yaml` into `dir` with these projects, each allowed to deliver to loopback, where the
 * test receivers listen; its path. (JSON is YAML: the loader reads it as any config file.)
 */
export async function writeConfigFile(dir: string, projects: readonly ConfigFileProject[]): Promise<string> {
  const file = path.join(dir, 'hookrelay.yaml');
  const config = {
    projects: projects.map((project) => ({
      id: project.id,
      apiKeyHashes: [project.apiKeyHash],
      signingSecrets: [project.signingSecret],
      baseUrl: project.baseUrl,
      allowInternalTargets: ['127.0.0.1'],
      ...project.more,
    })),
  };
  await writeFile(file, JSON.stringify(config, null, 2));
  return file;
}
