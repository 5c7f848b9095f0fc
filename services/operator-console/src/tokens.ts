/** Injection tokens of the console's feature services (plain classes built by factories). */
export const SETTLEMENTS_SERVICE = Symbol('SETTLEMENTS_SERVICE');
export const MAPPINGS_SERVICE = Symbol('MAPPINGS_SERVICE');
export const DEAD_LETTERS_SERVICE = Symbol('DEAD_LETTERS_SERVICE');
export const TRACE_SERVICE = Symbol('TRACE_SERVICE');
export const CONNECTIONS_STORE = Symbol('CONNECTIONS_STORE');
export const PING_PORT = Symbol('PING_PORT');
export const LEDGER_FOLLOWER = Symbol('LEDGER_FOLLOWER');
