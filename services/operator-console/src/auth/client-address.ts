/**
 * The address a sign-in is counted against. Behind `hops` trusted proxies (an Ingress, a load
 * balancer) the socket's peer is the last proxy, so the client is the entry `hops` from the right of
 * X-Forwarded-For (entries further left are whatever the client claims); with no trusted proxy, the
 * peer itself.
 */
export function clientAddress(
  peer: string | undefined,
  forwardedFor: string | string[] | undefined,
  hops: number,
): string {
  if (hops <= 0) return peer ?? 'unknown';
  const chain = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : (forwardedFor ?? ''))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return chain[chain.length - hops] ?? chain[0] ?? peer ?? 'unknown';
}
