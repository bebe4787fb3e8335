import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * Bytes of the Temporal dev server's SQLite database in `dir`: the main file plus its write-ahead log,
 * where recent writes sit until a checkpoint moves them into the main file.
 */
export async function sqliteBytes(dir: string): Promise<number> {
  let total = 0;
  for (const name of await readdir(dir)) {
    if (!/^temporal\.db(-wal)?$/.test(name)) continue;
    total += (await stat(path.join(dir, name))).size;
  }
  return total;
}
