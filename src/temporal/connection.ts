import { readFileSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type NativeConnectionOptions } from '@temporalio/worker';
import type { TemporalConfig } from '../config/schema';

type TlsOptions = NativeConnectionOptions['tls'];

/** TLS settings for a self-hosted cluster with mTLS, or for Temporal Cloud (API key or mTLS). */
function tlsOptions(config: TemporalConfig): TlsOptions {
  const tls = config.tls;
  if (!tls) return config.apiKey ? true : undefined;
  return {
    serverNameOverride: tls.serverName,
    serverRootCACertificate: tls.serverRootCaPath ? readFileSync(tls.serverRootCaPath) : undefined,
    clientCertPair:
      tls.clientCertPath && tls.clientKeyPath
        ? { crt: readFileSync(tls.clientCertPath), key: readFileSync(tls.clientKeyPath) }
        : undefined,
  };
}

export async function connectClient(config: TemporalConfig): Promise<Client> {
  const connection = await Connection.connect({
    address: config.address,
    tls: tlsOptions(config),
    apiKey: config.apiKey,
  });
  return new Client({ connection, namespace: config.namespace });
}

export async function connectWorker(config: TemporalConfig): Promise<NativeConnection> {
  return NativeConnection.connect({
    address: config.address,
    tls: tlsOptions(config),
    apiKey: config.apiKey,
  });
}
