import { connect } from 'node:net';
import type { Answer } from './api-error';

/**
 * Sends `request` byte for byte to 127.0.0.1:`port` over a connection of its own, and reads the answer
 * until the server closes the connection: what no HTTP client would send (oversized or malformed headers,
 * raw CR/LF in the request line) reaches Node's parser as it is. A request should say `Connection: close`.
 */
export function sendRaw(port: number, request: string, timeoutMs = 5_000): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete answer within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    // The server may close while the request is still being written; what it answered counts.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      const raw = Buffer.concat(chunks).toString('utf8');
      const answer = parseAnswer(raw);
      if (answer) resolve(answer);
      else reject(new Error(`not an HTTP answer: ${JSON.stringify(raw.slice(0, 200))}`));
    });
    socket.end(request);
  });
}

function parseAnswer(raw: string): Answer | undefined {
  const headEnd = raw.indexOf('\r\n\r\n');
  if (headEnd < 0) return undefined;
  const [statusLine = '', ...headerLines] = raw.slice(0, headEnd).split('\r\n');
  const status = /^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1];
  if (!status) return undefined;
  const headers = Object.fromEntries(
    headerLines.map((line) => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()];
    }),
  );
  return { statusCode: Number(status), headers, body: raw.slice(headEnd + 4) };
}
