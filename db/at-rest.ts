// Personal data at rest: every column of the read model that can hold a person's data (a case's
// snapshot, timeline entries, task inputs and results, free-text comments, the persons of an
// operation, stored idempotent answers) is sealed field by field with AES-256-GCM before it is
// written, and opened after it is read. Ids, stages, statuses, dates, counts, offices, priorities,
// nationalities and countries stay plain columns, so lists, filters and statistics work as before.
//
// A sealed value is a string `hwenc:v1:<key id>:<base64url(iv | ciphertext | tag)>`, stored as-is in
// text columns and as a JSON string in jsonb ones, so no column changes type. The key id travels with
// each value: readers accept every configured key (HOMEWARD_DATA_KEYS), writers use the active one
// (HOMEWARD_DATA_KEY_ID), and `npm run keys:rotate` re-seals rows under the active key. Values
// written before encryption (plain JSON) are still read; the rotation seals them too.
//
// The associated data names the table, column and row (`aad` below): a sealed value copied into
// another row or column does not open, so a database writer cannot swap one person's data for another's.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { PayloadKey } from '../config/index.js';

const PREFIX = 'hwenc:v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const SEALED = /^hwenc:v1:([A-Za-z0-9_-]+):([A-Za-z0-9_-]+)$/;

export class FieldCipher {
  private readonly keys: Map<string, Buffer>;

  constructor(
    keys: PayloadKey[],
    readonly activeKeyId: string,
  ) {
    this.keys = new Map(keys.map((k) => [k.id, k.key]));
    if (!this.keys.has(activeKeyId)) throw new Error(`data key ${activeKeyId} is not configured`);
  }

  /** The value as JSON, encrypted under the active key; null and undefined stay null (absence is not personal). */
  seal(value: unknown, aad: string): string | null {
    if (value === null || value === undefined) return null;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.activeKeyId)!, iv);
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
    return `${PREFIX}${this.activeKeyId}:${Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url')}`;
  }

  /** The value a column holds: sealed values decrypted, plain ones (written before encryption) as they are. */
  open<T = unknown>(stored: unknown, aad: string): T {
    if (typeof stored !== 'string' || !stored.startsWith(PREFIX)) return stored as T;
    const m = SEALED.exec(stored);
    if (!m) throw new Error('a sealed value is malformed');
    const key = this.keys.get(m[1]!);
    if (!key) throw new Error(`no data key "${m[1]}" is configured; add it to HOMEWARD_DATA_KEYS`);
    const data = Buffer.from(m[2]!, 'base64url');
    if (data.length < IV_BYTES + TAG_BYTES) throw new Error('a sealed value is truncated');
    const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    const plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
    return JSON.parse(plain.toString('utf8')) as T;
  }

  /** Whether a stored value needs no rotation: absent, or sealed under the active key. */
  isCurrent(stored: unknown): boolean {
    return stored === null || stored === undefined || keyIdOf(stored) === this.activeKeyId;
  }
}

/** The key id a stored value is sealed under, or null for a plain (unsealed) value. */
export function keyIdOf(stored: unknown): string | null {
  if (typeof stored !== 'string') return null;
  return SEALED.exec(stored)?.[1] ?? null;
}

const ciphers = new WeakMap<object, FieldCipher>();

/** The cipher of a configuration (one per process and key list). */
export function fieldCipher(config: { dataKeys: PayloadKey[]; activeDataKeyId: string }): FieldCipher {
  let c = ciphers.get(config.dataKeys);
  if (!c || c.activeKeyId !== config.activeDataKeyId) {
    c = new FieldCipher(config.dataKeys, config.activeDataKeyId);
    ciphers.set(config.dataKeys, c);
  }
  return c;
}

/**
 * The label sealed task values carry: the table's name when they were first sealed. The table is
 * `tasks` now (migration 0012), but a value opens only under the label it was sealed with, so every
 * task sealed before and since keeps this one.
 */
export const TASK_SEALING_LABEL = 'agency_tasks';

/** Associated data of each sealed column: table, column and the row's key. */
export const aad = {
  caseSnapshot: (caseId: string) => JSON.stringify(['cases', 'snapshot', caseId]),
  legalHoldReason: (caseId: string) => JSON.stringify(['cases', 'legal_hold_reason', caseId]),
  eventData: (caseId: string, seq: number) => JSON.stringify(['case_events', 'data', caseId, seq]),
  task: (taskId: string, column: 'input' | 'result' | 'reason') => JSON.stringify([TASK_SEALING_LABEL, column, taskId]),
  approval: (approvalId: string, column: 'comment' | 'decision_comment') => JSON.stringify(['approvals', column, approvalId]),
  operationPerson: (operationId: string, idx: number, column: 'person' | 'location' | 'risk_flags') =>
    JSON.stringify(['operation_persons', column, operationId, idx]),
  idempotencyResponse: (subject: string, key: string) => JSON.stringify(['idempotency_keys', 'response', subject, key]),
  webhookSecret: (webhookId: string) => JSON.stringify(['webhooks', 'secret', webhookId]),
  webhookPayload: (webhookId: string, dedupeKey: string) => JSON.stringify(['webhook_deliveries', 'payload', webhookId, dedupeKey]),
};

// ---- Row helpers: what services and activities call right after a select, so no caller forgets one column ----

/** A task row with `input`, `result` and `reason` opened (for inboxes, consent redaction, exports). */
export function openTaskRow<R extends { id: string; input: unknown; result: unknown; reason: string | null }>(c: FieldCipher, row: R): R {
  return {
    ...row,
    input: c.open(row.input, aad.task(row.id, 'input')),
    result: c.open(row.result, aad.task(row.id, 'result')),
    reason: c.open<string | null>(row.reason, aad.task(row.id, 'reason')),
  };
}

/** The sealed columns of a task row as the workflow hands it over. */
export function sealTaskFields(c: FieldCipher, taskId: string, t: { input: unknown; result: unknown; reason: string | null }) {
  return {
    input: c.seal(t.input, aad.task(taskId, 'input'))!,
    result: c.seal(t.result, aad.task(taskId, 'result')),
    reason: c.seal(t.reason, aad.task(taskId, 'reason')),
  };
}

export function openEventRow<R extends { caseId: string; seq: number; data: unknown }>(c: FieldCipher, row: R): R {
  return { ...row, data: c.open(row.data, aad.eventData(row.caseId, row.seq)) };
}

export function openApprovalRow<R extends { id: string; comment: string | null; decisionComment: string | null }>(c: FieldCipher, row: R): R {
  return {
    ...row,
    comment: c.open<string | null>(row.comment, aad.approval(row.id, 'comment')),
    decisionComment: c.open<string | null>(row.decisionComment, aad.approval(row.id, 'decision_comment')),
  };
}

/** A case row's snapshot (the case view), opened. */
export function openSnapshot<T = unknown>(c: FieldCipher, row: { id: string; snapshot: unknown }): T {
  return c.open<T>(row.snapshot, aad.caseSnapshot(row.id));
}

export function openOperationPersonRow<R extends { operationId: string; idx: number; person: unknown; location: unknown; riskFlags: unknown }>(c: FieldCipher, row: R): R {
  return {
    ...row,
    person: c.open(row.person, aad.operationPerson(row.operationId, row.idx, 'person')),
    location: c.open(row.location, aad.operationPerson(row.operationId, row.idx, 'location')),
    riskFlags: c.open(row.riskFlags, aad.operationPerson(row.operationId, row.idx, 'risk_flags')),
  };
}
