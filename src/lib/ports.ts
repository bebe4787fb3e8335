import { connect, createServer } from 'node:net';

/** Listens on host:port and closes again; resolves to the port that was bound (useful with port 0). */
function bindOnce(host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ host, port, exclusive: true }, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address !== null ? address.port : port;
      server.close(() => {
        resolve(bound);
      });
    });
  });
}

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export function freePort(): Promise<number> {
  return bindOnce('127.0.0.1', 0);
}

/**
 * A port from low to high on 127.0.0.1 that nothing listens on right now and that is not in `taken`, for
 * programs that cannot take just any port.
 */
export async function freePortInRange(
  low: number,
  high: number,
  taken: ReadonlySet<number> = new Set(),
): Promise<number> {
  for (let tries = 0; tries < 100; tries++) {
    const port = low + Math.floor(Math.random() * (high - low + 1));
    if (!taken.has(port) && (await isPortFree('127.0.0.1', port))) return port;
  }
  throw new Error(`no free port on 127.0.0.1 from ${low} to ${high}`);
}

/** Whether host:port can be listened on; errors other than "in use" (e.g. a bad address) are thrown. */
export async function isPortFree(host: string, port: number): Promise<boolean> {
  try {
    await bindOnce(host, port);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') return false;
    throw error;
  }
}

/** Whether something accepts TCP connections on host:port within timeoutMs. */
export function canConnect(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const finish = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => {
      finish(false);
    });
    socket.once('connect', () => {
      finish(true);
    });
    socket.once('error', () => {
      finish(false);
    });
  });
}
