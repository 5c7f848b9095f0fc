export * from './mapping-cache';
export * from './mapping-topics.loader';
export * from './mapping-file';
export * from './default-gl-rules';
export * from './gl-rules';
export * from './master-data';
