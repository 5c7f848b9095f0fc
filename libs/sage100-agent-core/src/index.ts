export * from './agent-server';
export * from './boi';
export * from './operations';
export * from './signing';
