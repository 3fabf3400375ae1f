// Structured logs that never carry personal data: case fields are redacted wherever they appear.
import { pino } from 'pino';

export type Logger = pino.Logger;

export const REDACT_PATHS = [
  'req.headers.authorization',
  '*.person',
  '*.fullName',
  '*.documents',
  '*.phone',
  '*.dateOfBirth',
  '*.nativeName',
  '*.guardian',
  '*.changes',
  '*.input',
  '*.snapshot',
  'person',
  'input',
];

export function createLogger(level: string): Logger {
  return pino({ level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { service: 'homeward' } });
}
