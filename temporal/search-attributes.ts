// Registers Homeward's custom search attributes on a Temporal server that Homeward did not start
// (TEMPORAL_ADDRESS, a cluster, Temporal Cloud's namespace as far as the operator API allows). The
// worker does it at start: a case upserting an unknown attribute would fail its workflow task.
import { Connection, isGrpcServiceError } from '@temporalio/client';
// @temporalio/proto is CommonJS without named ESM exports, so only the default import works at runtime.
import proto from '@temporalio/proto';
import { CUSTOM_SEARCH_ATTRIBUTES } from '../domain/search-attributes.js';

export type Log = (msg: string) => void;

const IndexedValueType = proto.temporal.api.enums.v1.IndexedValueType;
type IndexedValueTypeValue = proto.temporal.api.enums.v1.IndexedValueType;
type SearchAttributeMap = Record<string, IndexedValueTypeValue>;

const INDEXED_VALUE_TYPES: Record<'KEYWORD' | 'BOOL' | 'DATETIME' | 'INT', IndexedValueTypeValue> = {
  KEYWORD: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  BOOL: IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
  DATETIME: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  INT: IndexedValueType.INDEXED_VALUE_TYPE_INT,
};
const VISIBLE_TIMEOUT_MS = 30_000;
// gRPC status code ALREADY_EXISTS; @grpc/grpc-js is not a direct dependency.
const GRPC_ALREADY_EXISTS = 6;

const defaultLog: Log = (msg) => process.stderr.write(`[temporal] ${msg}\n`);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const typeName = (type: IndexedValueTypeValue) => String(IndexedValueType[type] ?? type).replace('INDEXED_VALUE_TYPE_', '');

async function listCustom(connection: Connection, namespace: string): Promise<SearchAttributeMap> {
  const response = await connection.operatorService.listSearchAttributes({ namespace });
  return { ...(response.customAttributes ?? {}) };
}

/**
 * Adds the missing ones of Homeward's custom search attributes to `namespace` and returns once the
 * server lists them all (registration is asynchronous on the server).
 */
export async function ensureSearchAttributes(address: string, namespace: string, log: Log = defaultLog): Promise<void> {
  const wanted: SearchAttributeMap = Object.fromEntries(
    Object.entries(CUSTOM_SEARCH_ATTRIBUTES).map(([name, type]) => [name, INDEXED_VALUE_TYPES[type]]),
  );
  const missingFrom = (existing: SearchAttributeMap) => Object.keys(wanted).filter((name) => !(name in existing));
  const connection = await Connection.connect({ address, connectTimeout: 10_000 });
  try {
    const existing = await listCustom(connection, namespace);
    // A type cannot be changed once registered, and upserts with the wrong type would fail later
    // inside workflows, so a mismatch is a setup error to fix now.
    const conflicts = Object.keys(wanted).filter((name) => name in existing && existing[name] !== wanted[name]);
    if (conflicts.length > 0) {
      const details = conflicts.map((n) => `${n} is ${typeName(existing[n]!)}, expected ${typeName(wanted[n]!)}`).join('; ');
      throw new Error(`search attributes in namespace "${namespace}" have the wrong type: ${details}`);
    }
    const missing = missingFrom(existing);
    if (missing.length === 0) return;

    log(`registering search attributes in namespace "${namespace}": ${missing.join(', ')}`);
    try {
      await connection.operatorService.addSearchAttributes({
        namespace,
        searchAttributes: Object.fromEntries(missing.map((name) => [name, wanted[name]!])),
      });
    } catch (err) {
      // Another process (api, worker, a parallel test) may have registered them a moment ago.
      const alreadyExists = (isGrpcServiceError(err) && err.code === GRPC_ALREADY_EXISTS) || /already exists/i.test(String((err as Error)?.message));
      if (!alreadyExists) throw err;
    }

    const deadline = Date.now() + VISIBLE_TIMEOUT_MS;
    for (;;) {
      const stillMissing = missingFrom(await listCustom(connection, namespace));
      if (stillMissing.length === 0) return;
      if (Date.now() > deadline) {
        throw new Error(`search attributes still not visible in namespace "${namespace}" after registration: ${stillMissing.join(', ')}`);
      }
      await sleep(250);
    }
  } finally {
    await connection.close();
  }
}
