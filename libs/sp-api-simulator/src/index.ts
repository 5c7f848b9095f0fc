export * from './dataset';
export * from './render';
export * from './server';
export * from './sandbox';
export { AMAZON_MARKETPLACES, type AmazonMarketplace } from './marketplaces';
export { ALREADY_FULFILLED_MESSAGE, confirmedShipments, type SimShipment } from './routes/orders-v0';
export { renderShipmentEvents } from './finances';
export {
  SIM_APPLICATION_ID,
  SimNotifications,
  type NotificationDeliveryOptions,
  type NotificationStats,
} from './notifications';
