/** Field names that hold or point to buyer PII: never sent to the page, whatever record they sit in. */
const PII_FIELD =
  /^(buyer.*|piiRef|shippingAddress|billingAddress|address.*|email|phone.*|recipientName|name)$/i;

/** A copy without buyer PII fields (at any depth). */
export function withoutPii(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutPii);
  if (value && typeof value === 'object' && !(value instanceof Date))
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([k]) => !PII_FIELD.test(k))
        .map(([k, v]) => [k, withoutPii(v)]),
    );
  return value;
}
