// Structured logs (pino). Secrets never reach them: cookies, auth headers, passwords, tokens and keys are redacted.
import pino, { type Logger } from 'pino';
import type { Config } from './config/config.js';

export const redactPaths = [
  'req.headers.cookie',
  'req.headers.authorization',
  'res.headers["set-cookie"]',
  '*.password',
  '*.token',
  '*.secret',
  '*.totp_secret',
  '*.password_hash',
  '*.passphrase',
  '*.privateKey',
  'headers.cookie',
  'headers.authorization',
];

export function createLogger(config: Pick<Config, 'logLevel'>, destination?: pino.DestinationStream): Logger {
  return pino({ level: config.logLevel, redact: { paths: redactPaths, censor: '[redacted]' } }, destination);
}
