export * from './server';
export * from './state';
export * from './boi-simulator';
