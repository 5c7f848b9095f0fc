export * from './config';
export { z } from 'zod';
