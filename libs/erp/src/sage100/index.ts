export * from './sage100.adapter';
