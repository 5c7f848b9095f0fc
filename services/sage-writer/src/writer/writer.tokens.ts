export const MAPPING_CACHE = Symbol('MAPPING_CACHE');
export const MAPPING_LOADER = Symbol('MAPPING_LOADER');
export const ERP_RESOLVER = Symbol('ERP_RESOLVER');
export const ORDER_WRITER = Symbol('ORDER_WRITER');
export const LEDGER_WRITER = Symbol('LEDGER_WRITER');
export const CREDIT_NOTE_WRITER = Symbol('CREDIT_NOTE_WRITER');
export const ORDER_TO_CASH = Symbol('ORDER_TO_CASH');
