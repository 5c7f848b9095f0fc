export * from './generated';
export * from './generated/topics';
export * from './keys';
