// errors and retry live in @connector/core; re-exported for the consumers of this library
export * from '@connector/core';
export * from './avro-codec';
export * from './avro-decimal.type';
export * from './consumer-host';
export * from './dead-letter';
export * from './kafka-client';
export * from './publisher';
export * from './record-processor';
export * from './topics';
export * from './kafka-runtime';
export * from './schema-compat';
export * from './replay';
export * from './from-config';
