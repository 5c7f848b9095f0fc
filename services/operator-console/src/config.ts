import { baseConfigSchema, credentialsConfigShape, z } from '@connector/config';

const bool = z
  .enum(['true', 'false', '1', '0'])
  .transform((v) => v === 'true' || v === '1')
  .or(z.boolean());

/** The environment operator-console reads, validated once at boot. */
export const configSchema = baseConfigSchema
  .extend({
    HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(3006),
    /** cookies carry `Secure` (HTTPS only); off only for http://127.0.0.1 in the demo and tests */
    CONSOLE_COOKIE_SECURE: bool.default(true),
    /** minutes a session lives without use; it is renewed on each request */
    CONSOLE_SESSION_IDLE_MIN: z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .default(30),
    /** hours a session lives at most, used or not */
    CONSOLE_SESSION_MAX_HOURS: z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 7)
      .default(12),
    /** proxies (Ingress, load balancer) in front of the console whose X-Forwarded-For is trusted */
    CONSOLE_TRUSTED_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
    /** sign-in attempts allowed per client address per minute */
    CONSOLE_SIGN_IN_PER_MINUTE: z.coerce.number().int().min(1).max(1000).default(5),
    /**
     * the first administrator, created at boot when no account exists yet; after that the CLI
     * (`npm run console -- add-user`) or the Users API manage accounts
     */
    CONSOLE_ADMIN_EMAIL: z.email().optional(),
    CONSOLE_ADMIN_PASSWORD: z.string().min(12, 'must be at least 12 characters').optional(),
    /**
     * `ping` of a connection's Amazon side from the page: it decrypts the connection's credentials, so
     * it needs CREDENTIALS_KEY, which the console otherwise never holds. Off by default.
     */
    CONSOLE_PING: bool.default(false),
    CREDENTIALS_KEY: credentialsConfigShape.CREDENTIALS_KEY.optional(),
    CREDENTIALS_KEY_ID: credentialsConfigShape.CREDENTIALS_KEY_ID,
    CREDENTIALS_PREVIOUS_KEYS: credentialsConfigShape.CREDENTIALS_PREVIOUS_KEYS,
    SPAPI_ENDPOINT: z.url().optional(),
    LWA_TOKEN_URL: z.url().optional(),
  })
  .refine((c) => (c.CONSOLE_ADMIN_EMAIL === undefined) === (c.CONSOLE_ADMIN_PASSWORD === undefined), {
    message: 'CONSOLE_ADMIN_EMAIL and CONSOLE_ADMIN_PASSWORD are set together or not at all',
    path: ['CONSOLE_ADMIN_PASSWORD'],
  })
  .refine((c) => !c.CONSOLE_PING || c.CREDENTIALS_KEY !== undefined, {
    message: 'CONSOLE_PING=true needs CREDENTIALS_KEY (it decrypts the connection credentials)',
    path: ['CREDENTIALS_KEY'],
  });

export type AppConfig = z.infer<typeof configSchema>;
