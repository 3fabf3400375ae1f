// Connection and data converter shared by the API, the worker, scripts and tests: one place that
// decides how Homeward talks to Temporal and how its payloads (and failure messages) are encrypted.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import type { Config } from '../config/index.js';
import { AesGcmCodec } from './codec.js';

/** Messages and stack traces of failures go into an encrypted payload (temporal/failure-converter.cjs). */
export const FAILURE_CONVERTER_PATH = path.join(path.dirname(fileURLToPath(import.meta.url)), 'failure-converter.cjs');

export function dataConverter(config: Pick<Config, 'payloadKeys' | 'activePayloadKeyId'>): DataConverter {
  return {
    payloadCodecs: [new AesGcmCodec(config.payloadKeys, config.activePayloadKeyId)],
    failureConverterPath: FAILURE_CONVERTER_PATH,
  };
}

export async function connectTemporal(address: string): Promise<Connection> {
  return Connection.connect({ address, connectTimeout: '5s' });
}

export function createTemporalClient(
  connection: Connection,
  config: Pick<Config, 'payloadKeys' | 'activePayloadKeyId'> & { temporal: { namespace: string } },
): Client {
  return new Client({ connection, namespace: config.temporal.namespace, dataConverter: dataConverter(config) });
}

export { caseWorkflowId } from '../domain/ids.js';
