import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { errorBody, type Answer } from './http';

/**
 * Requests checked against Amazon's models (reference/sp-api/models) before a route sees them, the way
 * Amazon's front door does: every parameter the model marks required, enum values, list sizes, integer
 * ranges, date-times, and the JSON body against the operation's body schema. The answer is Amazon's
 * ErrorList with the API's validation code (FACTS §1.5).
 */
const MODELS = path.resolve(__dirname, '../../../reference/sp-api/models');

interface Param {
  name: string;
  in: string;
  required?: boolean;
  type?: string;
  format?: string;
  enum?: string[];
  items?: { enum?: string[] };
  maxItems?: number;
  minItems?: number;
  minimum?: number;
  maximum?: number;
  schema?: object;
}

interface ModelOperation {
  query: Param[];
  body?: { required: boolean; validate: ValidateFunction };
}

const cache = new Map<string, ModelOperation>();
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);

function modelOperation(model: string, operationId: string): ModelOperation {
  const key = `${model}/${operationId}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const swagger = JSON.parse(readFileSync(path.join(MODELS, `${model}.json`), 'utf8')) as {
    paths: Record<string, Record<string, { operationId?: string; parameters?: Param[] } | Param[]>>;
    definitions: object;
  };
  for (const item of Object.values(swagger.paths)) {
    const shared = (item.parameters as Param[] | undefined) ?? [];
    for (const [method, op] of Object.entries(item)) {
      if (method === 'parameters' || Array.isArray(op) || op.operationId !== operationId) continue;
      const params = [...shared, ...(op.parameters ?? [])];
      const body = params.find((p) => p.in === 'body');
      const found: ModelOperation = {
        query: params.filter((p) => p.in === 'query'),
        body: body && {
          required: Boolean(body.required),
          validate: ajv.compile({ ...body.schema, definitions: swagger.definitions }),
        },
      };
      cache.set(key, found);
      return found;
    }
  }
  throw new Error(`${operationId} is not an operation of ${model}`);
}

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/** Problems of one request against its operation in Amazon's model; empty when it conforms. */
export function requestProblems(
  model: string,
  operationId: string,
  query: URLSearchParams,
  body: unknown,
): string[] {
  const op = modelOperation(model, operationId);
  const out: string[] = [];
  for (const p of op.query) {
    const raw = query.get(p.name);
    if (raw === null) {
      if (p.required) out.push(`Missing required parameter: ${p.name}.`);
      continue;
    }
    const values = p.type === 'array' ? raw.split(',') : [raw];
    if (p.type === 'array' && p.maxItems !== undefined && values.length > p.maxItems)
      out.push(`${p.name} has more than ${p.maxItems} values.`);
    if (p.type === 'array' && p.minItems !== undefined && values.filter(Boolean).length < p.minItems)
      out.push(`${p.name} needs at least ${p.minItems} value(s).`);
    const allowed = p.enum ?? p.items?.enum;
    for (const v of values)
      if (allowed && !allowed.includes(v)) out.push(`${v} is not a valid value for ${p.name}.`);
    if (p.type === 'integer') {
      const n = Number(raw);
      if (!Number.isInteger(n)) out.push(`${p.name} must be an integer.`);
      else if ((p.minimum !== undefined && n < p.minimum) || (p.maximum !== undefined && n > p.maximum))
        out.push(`${p.name} must be between ${p.minimum ?? '-∞'} and ${p.maximum ?? '∞'}.`);
    }
    if (p.type === 'boolean' && raw !== 'true' && raw !== 'false')
      out.push(`${p.name} must be true or false.`);
    if (p.format === 'date-time' && !ISO_DATE_TIME.test(raw))
      out.push(`${p.name} must be an ISO 8601 date-time.`);
  }
  if (op.body) {
    if (body === undefined) {
      if (op.body.required) out.push('A request body is required.');
    } else if (!op.body.validate(body)) {
      for (const e of op.body.validate.errors ?? [])
        out.push(`body${e.instancePath.replace(/\//g, '.')} ${e.message ?? 'is invalid'}.`);
    }
  }
  return out;
}

/** The 400 Amazon answers for a request its model rejects, or undefined. */
export function validateRequest(
  model: string,
  operationId: string,
  query: URLSearchParams,
  body: unknown,
): Answer | undefined {
  const problems = requestProblems(model, operationId, query, body);
  if (problems.length === 0) return undefined;
  // Listings answers BAD_REQUEST, the other APIs InvalidInput (FACTS §1.5)
  const code = model.startsWith('listingsItems') ? 'BAD_REQUEST' : 'InvalidInput';
  return [400, errorBody(code, problems[0], problems.slice(1).join(' '))];
}
