export * from './sap-b1.adapter';
