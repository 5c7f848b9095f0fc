export * from './sage300.adapter';
