import { baseConfigSchema, credentialsConfigShape, z } from '@connector/config';

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** The environment amazon-ingest reads, validated once at boot. */
export const configSchema = baseConfigSchema
  .extend({
    ...credentialsConfigShape,
    HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(3001),
    /** replaces the regional SP-API endpoint (a simulator, a proxy) */
    SPAPI_ENDPOINT: z.url().optional(),
    LWA_TOKEN_URL: z.url().optional(),
    /** where raw settlement files are archived (Amazon keeps them 90 days) */
    ARCHIVE_DIR: z.string().min(1).default('var/archive'),
    SETTLEMENT_CHUNK_LINES: z.coerce.number().int().min(1).max(10_000).default(1000),
    /** run the schedules (off: only the HTTP endpoints and CLI-triggered work) */
    INGEST_SCHEDULER: bool.default(true),
    REPORT_POLL_MS: z.coerce.number().int().min(100).default(15_000),
    /**
     * replicas share the connections by leases of this length (connection_leases): each reads only the
     * sellers it holds, and a replica that dies hands its sellers over after about this long
     */
    CONNECTION_LEASE_MS: z.coerce.number().int().min(3000).default(30_000),

    // ---- SP-API notifications through SQS (docs/notifications.md)
    /** subscribe every connection to ORDER_CHANGE and the report/feed notifications, and consume the queue */
    NOTIFICATIONS: bool.default(false),
    /** replaces AWS's SQS endpoint (ElasticMQ locally: http://127.0.0.1:19324); unset in production */
    SQS_ENDPOINT: z.url().optional(),
    SQS_REGION: z
      .string()
      .regex(/^[a-z0-9-]+$/, 'an AWS region such as us-east-1')
      .optional(),
    /** the queue Amazon delivers to: its URL (to read) and ARN (the Notifications destination) */
    SQS_QUEUE_URL: z.url().optional(),
    SQS_QUEUE_ARN: z
      .string()
      .regex(/^arn:aws:sqs:[^:]+:[^:]+:[^:]+$/, 'arn:aws:sqs:<region>:<account>:<queue>')
      .optional(),
    /** where malformed notifications are recorded with their reason before they leave the queue */
    SQS_DLQ_URL: z.url().optional(),
    /** static keys (ElasticMQ takes any); without them the AWS SDK's default chain (an IAM role) is used */
    SQS_ACCESS_KEY_ID: z.string().min(1).optional(),
    SQS_SECRET_ACCESS_KEY: z.string().min(1).optional(),
    /** long-poll wait per receive (SQS allows up to 20 s) */
    SQS_WAIT_SEC: z.coerce.number().int().min(0).max(20).default(20),
    /** how long a received message stays invisible while it is worked on; a failure shows it again after this */
    SQS_VISIBILITY_SEC: z.coerce.number().int().min(1).max(43_200).default(60),
    /** the Notifications destination's name (one per application and queue) */
    NOTIFICATIONS_DESTINATION_NAME: z.string().min(1).max(256).default('amazon-erp-connector'),
    /**
     * the orders poller's interval while notifications are on: the safety net for what a notification
     * missed, so it can be longer than the connection's own interval (the longer of the two is used)
     */
    NOTIFICATIONS_ORDERS_INTERVAL_SEC: z.coerce.number().int().min(30).default(1800),
  })
  .superRefine((c, ctx) => {
    if (!c.NOTIFICATIONS) return;
    for (const key of ['SQS_REGION', 'SQS_QUEUE_URL', 'SQS_QUEUE_ARN', 'SQS_DLQ_URL'] as const)
      if (!c[key]) ctx.addIssue({ code: 'custom', path: [key], message: 'required when NOTIFICATIONS=true' });
    if (Boolean(c.SQS_ACCESS_KEY_ID) !== Boolean(c.SQS_SECRET_ACCESS_KEY))
      ctx.addIssue({
        code: 'custom',
        path: ['SQS_SECRET_ACCESS_KEY'],
        message:
          'SQS_ACCESS_KEY_ID and SQS_SECRET_ACCESS_KEY go together (or neither: the AWS default chain)',
      });
  });

export type AppConfig = z.infer<typeof configSchema>;
