import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { PostgresTarget } from './postgres-target';

const SQL_PLUGIN = 'postgres12';
/** The schemas the SQL tool carries for each database (its help lists only MySQL's names). */
const SCHEMAS = { default: 'postgresql/v12/temporal', visibility: 'postgresql/v12/visibility' } as const;
const STEP_TIMEOUT_MS = 120_000;

const run = promisify(execFile);

/**
 * Creates the Temporal and visibility databases if they are missing and brings both schemas to the latest
 * version the SQL tool carries. Every step is idempotent, so this runs before every start: a first start
 * creates everything, a later one finds nothing to do, and one after an upgrade applies the new versions.
 */
export async function setUpTemporalDatabases(sqlTool: string, target: PostgresTarget): Promise<void> {
  for (const [database, schema] of [
    [target.database, SCHEMAS.default],
    [target.visibilityDatabase, SCHEMAS.visibility],
  ] as const) {
    await runSqlTool(sqlTool, target, database, ['create-database']);
    // Version 0.0 only creates the tables that record the version, and is skipped once one is recorded.
    await runSqlTool(sqlTool, target, database, ['setup-schema', '--version', '0.0']);
    await runSqlTool(sqlTool, target, database, ['update-schema', '--schema-name', schema]);
  }
}

/** Drops both databases, if they exist; nothing may be connected to them. */
export async function dropTemporalDatabases(sqlTool: string, target: PostgresTarget): Promise<void> {
  for (const database of [target.database, target.visibilityDatabase]) {
    await runSqlTool(sqlTool, target, database, ['drop-database', '--force']);
  }
}

async function runSqlTool(
  sqlTool: string,
  target: PostgresTarget,
  database: string,
  command: string[],
): Promise<void> {
  // The connection goes through the tool's variables, so that the password is on no command line.
  const env = {
    ...process.env,
    SQL_PLUGIN,
    SQL_HOST: target.host,
    SQL_PORT: String(target.port),
    SQL_USER: target.user,
    SQL_PASSWORD: target.password,
    SQL_DATABASE: database,
  };
  try {
    await run(sqlTool, command, { env, timeout: STEP_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    const output = `${stdout}${stderr}`.trim().split('\n').slice(-20).join('\n');
    throw new Error(
      `${command[0] ?? 'the SQL tool'} of database ${database} on ${target.host}:${target.port} failed:\n${output}`,
      { cause: error },
    );
  }
}
