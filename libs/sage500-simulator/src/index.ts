export * from './simulator';
export { SAGE500_SCHEMA } from './schema';
