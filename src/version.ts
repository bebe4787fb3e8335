import { readFileSync } from 'node:fs';
import path from 'node:path';

/** The package version, shown in the User-Agent of deliveries and in the OpenAPI document. */
export const VERSION = (
  JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }
).version;

/** How deliveries and alerts introduce themselves to receivers. */
export const USER_AGENT = `hookrelay/${VERSION}`;
