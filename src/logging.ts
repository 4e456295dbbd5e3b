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
  '*.clientSecret',
  'headers.cookie',
  'headers.authorization',
];

/** One-time links and CSRF tokens travel in URLs; they are credentials and never reach the logs. */
export function scrubUrl(url: string): string {
  return url
    .replace(/\/(r|setup|invite|password\/reset)\/[^/?#]+/g, '/$1/[redacted]')
    .replace(/([?&]_csrf=)[^&#]*/g, '$1[redacted]')
    // An OIDC callback's authorization code and state (RFC 6749 §10.5: codes are credentials), an invitation token.
    .replace(/(\/auth\/oidc\/[^?#]*\?)([^#]*)/, (_m, path: string, query: string) => path + query.replace(/(^|&)(code|state|invite)=[^&]*/g, '$1$2=[redacted]'));
}

interface LoggedRequest {
  method?: string;
  url?: string;
  ip?: string;
  id?: string;
}

export function createLogger(config: Pick<Config, 'logLevel'>, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level: config.logLevel,
      redact: { paths: redactPaths, censor: '[redacted]' },
      serializers: {
        req: (req: LoggedRequest) => ({ id: req.id, method: req.method, url: scrubUrl(req.url ?? ''), ip: req.ip }),
        err: pino.stdSerializers.err,
      },
    },
    destination,
  );
}
