import { utf8Prefix } from './utf8';

/**
 * The first `limit` bytes of a response body as UTF-8, read no further: leaving the loop destroys the
 * stream, so a huge or endless answer costs no more than its prefix. `cut` says whether more followed.
 */
export async function readBodyPrefix(
  body: AsyncIterable<Buffer>,
  limit: number,
): Promise<{ text: string; cut: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= limit) break;
  }
  return { text: utf8Prefix(Buffer.concat(chunks), limit), cut: size > limit };
}
