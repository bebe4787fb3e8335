import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { INGEST_FORWARD_PATH, parseForwardedEvent, parseHookPath } from './hook-target';

/** The first arrival of one hook, and how many times it came. */
export interface ArrivalRecord {
  seq: number;
  dueAt: number;
  firstAt: number;
  count: number;
  /** Whether the request carried a Standard Webhooks signature. */
  signed: boolean;
}

/** Whether the hooks a load plan scheduled arrived, each exactly once. */
export interface DeliveryCheck {
  expected: number;
  arrived: number;
  missing: number;
  duplicates: number;
  /** Arrivals for sequence numbers that were never (successfully) scheduled. */
  unexpected: number;
  signed: number;
}

/** The arrivals of one tag: one scenario step of one system. */
export class TagArrivals {
  readonly records = new Map<number, ArrivalRecord>();
  requests = 0;
  firstAt = Number.POSITIVE_INFINITY;
  lastAt = Number.NEGATIVE_INFINITY;

  record(seq: number, dueAt: number, at: number, signed: boolean): void {
    this.requests++;
    const existing = this.records.get(seq);
    if (existing) {
      existing.count++;
      return;
    }
    this.records.set(seq, { seq, dueAt, firstAt: at, count: 1, signed });
    this.firstAt = Math.min(this.firstAt, at);
    this.lastAt = Math.max(this.lastAt, at);
  }

  get distinct(): number {
    return this.records.size;
  }

  /** Milliseconds from due to first arrival, for every hook that arrived. */
  lateness(): number[] {
    return [...this.records.values()].map((record) => record.firstAt - record.dueAt);
  }

  /** Compares the arrivals with the sequence numbers that were scheduled. */
  check(expectedSeqs: ReadonlySet<number>): DeliveryCheck {
    let arrived = 0;
    let duplicates = 0;
    let unexpected = 0;
    let signed = 0;
    for (const record of this.records.values()) {
      if (expectedSeqs.has(record.seq)) arrived++;
      else unexpected++;
      if (record.count > 1) duplicates += record.count - 1;
      if (record.signed) signed++;
    }
    return {
      expected: expectedSeqs.size,
      arrived,
      missing: expectedSeqs.size - arrived,
      duplicates,
      unexpected,
      signed,
    };
  }
}

/**
 * The one HTTP endpoint every system delivers to, on 127.0.0.1. It answers 200 at once, after reading
 * the whole body, and notes when each hook first arrived, so lateness is measured in one place for all.
 */
export class Receiver {
  private readonly tags = new Map<string, TagArrivals>();
  /** Requests whose path was not a benchmark hook: a harness bug if ever non-zero. */
  strayRequests = 0;

  private constructor(private readonly server: Server) {}

  static async start(): Promise<Receiver> {
    const server = createServer();
    const receiver = new Receiver(server);
    // Delivery clients keep connections open between hooks; do not close them under their feet.
    server.keepAliveTimeout = 60_000;
    server.on('request', (request, response) => {
      // Only a forwarded ingested event carries its address in the body; other bodies are not kept.
      const forwarded = request.url === INGEST_FORWARD_PATH;
      const chunks: Buffer[] = [];
      if (forwarded) request.on('data', (chunk: Buffer) => chunks.push(chunk));
      else request.resume();
      request.on('end', () => {
        const at = Date.now();
        const address = forwarded
          ? parseForwardedEvent(Buffer.concat(chunks).toString('utf8'))
          : parseHookPath(request.url ?? '');
        if (address) {
          receiver
            .track(address.tag)
            .record(address.seq, address.dueAt, at, request.headers['webhook-signature'] !== undefined);
        } else {
          receiver.strayRequests++;
        }
        response.writeHead(address ? 200 : 404, { 'content-length': '0' }).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The arrivals for a tag; created empty on first use, so it can be taken before anything is sent. */
  track(tag: string): TagArrivals {
    let arrivals = this.tags.get(tag);
    if (!arrivals) {
      arrivals = new TagArrivals();
      this.tags.set(tag, arrivals);
    }
    return arrivals;
  }

  /** Drops a finished tag's records, so a long run does not keep every arrival in memory. */
  forget(tag: string): void {
    this.tags.delete(tag);
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
