/**
 * Schema evolution checks through the Confluent-compatible REST API (Confluent Schema Registry,
 * Apicurio's ccompat API, Karapace). Subjects follow the TopicNameStrategy: `<topic>-value`.
 */
export type CompatResult =
  | { subject: string; status: 'new' }
  | { subject: string; status: 'compatible' }
  | { subject: string; status: 'incompatible'; messages: string[] };

export interface RegistryHttp {
  url: string;
  username?: string;
  password?: string;
}

const JSON_TYPE = 'application/vnd.schemaregistry.v1+json';

async function call(
  reg: RegistryHttp,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  const headers: Record<string, string> = { Accept: JSON_TYPE, 'Content-Type': JSON_TYPE };
  if (reg.username)
    headers.Authorization = `Basic ${Buffer.from(`${reg.username}:${reg.password ?? ''}`).toString('base64')}`;
  const res = await fetch(`${reg.url.replace(/\/$/, '')}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

/** Is `schema` BACKWARD-compatible with the subject's latest version (the subject's configured level)? */
export async function checkCompatibility(
  reg: RegistryHttp,
  subject: string,
  schema: unknown,
): Promise<CompatResult> {
  const s = encodeURIComponent(subject);
  const versions = await call(reg, 'GET', `/subjects/${s}/versions`);
  if (versions.status === 404) return { subject, status: 'new' };
  if (versions.status !== 200)
    throw new Error(`registry answered ${versions.status} for ${subject}: ${JSON.stringify(versions.json)}`);
  const res = await call(reg, 'POST', `/compatibility/subjects/${s}/versions/latest?verbose=true`, {
    schema: JSON.stringify(schema),
  });
  if (res.status !== 200)
    throw new Error(
      `compatibility check for ${subject} failed with ${res.status}: ${JSON.stringify(res.json)}`,
    );
  const body = res.json as { is_compatible: boolean; messages?: string[] };
  return body.is_compatible
    ? { subject, status: 'compatible' }
    : { subject, status: 'incompatible', messages: body.messages ?? [] };
}

/** Sets the subject's compatibility level (BACKWARD unless told) and registers the schema; returns its id. */
export async function registerSchema(
  reg: RegistryHttp,
  subject: string,
  schema: unknown,
  level = 'BACKWARD',
): Promise<number> {
  const s = encodeURIComponent(subject);
  const cfg = await call(reg, 'PUT', `/config/${s}`, { compatibility: level });
  if (cfg.status !== 200)
    throw new Error(`setting ${level} on ${subject} failed with ${cfg.status}: ${JSON.stringify(cfg.json)}`);
  const res = await call(reg, 'POST', `/subjects/${s}/versions`, { schema: JSON.stringify(schema) });
  if (res.status !== 200)
    throw new Error(`registering ${subject} failed with ${res.status}: ${JSON.stringify(res.json)}`);
  return (res.json as { id: number }).id;
}
