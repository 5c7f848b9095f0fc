export const INBOX_STORE = Symbol('INBOX_STORE');
