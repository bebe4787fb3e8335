import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the receiver saw it. */
export interface Arrival {
  at: number;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** Answer only after this long, to simulate a slow receiver. */
  delayMs?: number;
}

export type Responder = (arrival: Arrival, index: number) => Reply;

/**
 * A real HTTP receiver on 127.0.0.1 that records every request and answers as the test scripts it.
 * `waitFor` resolves once enough requests have arrived, or rejects after the timeout.
 */
export class TestReceiver {
  readonly arrivals: Arrival[] = [];
  private readonly waiters = new Set<() => void>();

  private constructor(
    private readonly server: Server,
    private responder: Responder,
  ) {}

  static async start(responder: Responder = () => ({ status: 200 })): Promise<TestReceiver> {
    const server = createServer();
    const receiver = new TestReceiver(server, responder);
    server.on('request', (request, response) => {
      // When the request came, not when its body was read: a busy test process reads bodies late.
      const at = Date.now();
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const arrival: Arrival = {
          at,
          path: request.url ?? '/',
          headers: request.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        };
        receiver.arrivals.push(arrival);
        const reply = receiver.responder(arrival, receiver.arrivals.length - 1);
        receiver.waiters.forEach((wake) => {
          wake();
        });
        setTimeout(
          () => response.writeHead(reply.status, reply.headers).end(reply.body ?? ''),
          reply.delayMs ?? 0,
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  respondWith(responder: Responder): void {
    this.responder = responder;
  }

  /** Arrivals whose JSON body carries this hook id. */
  arrivalsFor(hookId: string): Arrival[] {
    return this.arrivals.filter((arrival) => arrival.headers['webhook-id'] === hookId);
  }

  async waitFor(count: number, timeoutMs: number, hookId?: string): Promise<Arrival[]> {
    const matching = () => (hookId ? this.arrivalsFor(hookId) : this.arrivals);
    const deadline = Date.now() + timeoutMs;
    while (matching().length < count) {
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`expected ${count} arrivals within ${timeoutMs} ms, got ${matching().length}`);
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, left);
        this.waiters.add(wake);
      });
    }
    return matching();
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.server.close(() => {
        resolve();
      }),
    );
  }
}

/** Receivers a suite starts as it goes, closed together when it ends. */
export class ReceiverPool {
  private readonly started: TestReceiver[] = [];

  async start(responder?: Responder): Promise<TestReceiver> {
    const receiver = await TestReceiver.start(responder);
    this.started.push(receiver);
    return receiver;
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.started.map((receiver) => receiver.close()));
  }
}
