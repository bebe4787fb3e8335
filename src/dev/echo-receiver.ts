import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { text } from 'node:stream/consumers';
import { Webhook } from 'standardwebhooks';

/**
 * A webhook receiver for trying hookrelay out: it answers every request 200 and logs one line saying
 * what arrived and whether its Standard Webhooks signature is valid, as a real receiver must check.
 */
export interface EchoReceiver {
  url: string;
  close(): Promise<void>;
}

export interface EchoReceiverOptions {
  /** The port on 127.0.0.1; 0 for any free one. */
  port: number;
  /** When `port` is taken, take any free one instead of failing. */
  orFreePort?: boolean;
  /** The secret (whsec_…) the requests are expected to be signed with. */
  signingSecret: string;
  log: (line: string) => void;
}

const HOST = '127.0.0.1';
const DATA_EXCERPT_CHARS = 80;

export async function startEchoReceiver(options: EchoReceiverOptions): Promise<EchoReceiver> {
  const webhook = new Webhook(options.signingSecret);
  const server = createServer((request, response) => {
    void text(request).then(
      (body) => {
        const problem = signatureProblem(webhook, body, request.headers);
        options.log(describeRequest(request.url ?? '/', request.headers, body, problem));
        response
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ received: true, signatureValid: problem === undefined }));
      },
      // The sender went away mid-request: there is no one to answer.
      () => request.destroy(),
    );
  });
  let port: number;
  try {
    port = await listen(server, options.port);
  } catch (error) {
    if (!options.orFreePort || (error as NodeJS.ErrnoException).code !== 'EADDRINUSE') {
      throw new Error(`The echo receiver cannot listen on ${HOST}:${options.port}: ${String(error)}`);
    }
    port = await listen(server, 0);
  }
  return {
    url: `http://${HOST}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => {
          if (error) reject(error);
          else resolve();
        });
      }),
  };
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: HOST, port, exclusive: true }, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : port);
    });
  });
}

/** Why the signature does not verify, or undefined when it does. */
function signatureProblem(webhook: Webhook, body: string, headers: IncomingHttpHeaders): string | undefined {
  const signed: Record<string, string> = {};
  for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
    const value = headers[name];
    if (typeof value === 'string') signed[name] = value;
  }
  try {
    webhook.verify(body, signed);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** "hk_… /echo/hello attempt 1, signature valid, data {"hello":"world"}" */
function describeRequest(
  url: string,
  headers: IncomingHttpHeaders,
  body: string,
  signatureProblem: string | undefined,
): string {
  const header = (name: string) => {
    const value = headers[name];
    return typeof value === 'string' ? value : '(none)';
  };
  const signature = signatureProblem === undefined ? 'valid' : `NOT valid (${signatureProblem})`;
  return (
    `echo receiver got ${header('webhook-id')} ${url} attempt ${header('hook-attempt')}, ` +
    `signature ${signature}, data ${excerpt(dataOf(body))}`
  );
}

/** The `data` of a hookrelay delivery; any other body as it came. */
function dataOf(body: string): string {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === 'object' && parsed !== null && 'data' in parsed) return JSON.stringify(parsed.data);
  } catch {
    // Not JSON: shown as it is.
  }
  return body;
}

function excerpt(value: string): string {
  return value.length > DATA_EXCERPT_CHARS ? `${value.slice(0, DATA_EXCERPT_CHARS - 1)}…` : value;
}
