import type { HttpTransport } from '@connector/core';
import type { ErpKind } from '@connector/erp';
import type { ErpFactory } from './erp-resolver';

/** The adapters sage-writer can build, by ERP kind. Sage 100 and Sage 500 follow in their own issue. */
export function erpFactories(http: HttpTransport): Partial<Record<ErpKind, ErpFactory>> {
  void http;
  return {};
}
