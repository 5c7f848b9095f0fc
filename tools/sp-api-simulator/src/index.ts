export * from './dataset';
export * from './render';
export * from './simulator';
export * from './sandbox';
