import pino, { type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

/**
 * Paths redacted from every log line: secrets and buyer PII. Logs carry ids (order id, settlement id,
 * offsets), never names, addresses, e-mails, tokens or passwords.
 */
export const REDACT_PATHS = [
  '*.password',
  '*.secret',
  '*.clientSecret',
  '*.refreshToken',
  '*.accessToken',
  '*.access_token',
  '*.refresh_token',
  '*.client_secret',
  '*.authorization',
  '*.Authorization',
  '*.cookie',
  '*.headers.authorization',
  // pino-http logs request and response headers: session cookies and CSRF tokens (operator console)
  '*.headers.cookie',
  '*.headers["set-cookie"]',
  '*.headers["x-csrf-token"]',
  '*.headers["x-amz-access-token"]',
  '*.buyerEmail',
  '*.buyerName',
  '*.BuyerEmail',
  '*.BuyerName',
  '*.shippingAddress',
  '*.ShippingAddress',
  '*.addressLine1',
  '*.addressLine2',
  '*.phone',
  'password',
  'secret',
  'accessToken',
  'refreshToken',
  'credentials',
  '*.credentials',
];

export interface LoggerSettings {
  service: string;
  level?: string;
  pretty?: boolean;
  /** a destination stream (tests capture lines with it) */
  destination?: pino.DestinationStream;
}

export function createLogger({
  service,
  level = 'info',
  pretty = false,
  destination,
}: LoggerSettings): Logger {
  const options: LoggerOptions = {
    level,
    base: { service },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
  if (destination) return pino(options, destination);
  if (pretty)
    return pino({ ...options, transport: { target: 'pino-pretty', options: { singleLine: true } } });
  return pino(options);
}

/** A logger that writes nothing, for unit tests that don't look at logs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
