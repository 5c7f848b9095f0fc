export { SAGE300_ERROR_STATUS, SAGE300_LOCK_MESSAGE, type Sage300ErrorCode } from './errors';
export * from './odata';
export { SAGE300_FIELD_LENGTHS, SAGE300_RESOURCES, type Rec } from './resources';
export * from './server';
export type { Sage300Seed } from './state';
