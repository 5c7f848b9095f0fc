export * from './order-numbers';
export * from './sage100.adapter';
