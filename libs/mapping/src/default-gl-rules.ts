import mapping from './default-gl-mapping.json';

/**
 * The GL mapping shipped as data (default-gl-mapping.json): rules from settlement lines to GL
 * accounts, tried after each connection's own rules from mapping.gl-accounts.v1. The reconciler books
 * with it; the demo and the ERP simulators' tests seed their charts of accounts from it.
 */
export const DEFAULT_GL_MAPPING = mapping;

/** Every account the default mapping posts to (payout, suspense and each rule's account), once. */
export function defaultGlAccounts(): string[] {
  return [
    ...new Set([
      ...Object.values(DEFAULT_GL_MAPPING.accounts),
      ...DEFAULT_GL_MAPPING.rules.map((r) => r.account),
    ]),
  ];
}
