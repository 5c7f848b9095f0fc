export const LISTING_STORE = Symbol('LISTING_STORE');
export const ITEM_CHANGES = Symbol('ITEM_CHANGE_SERVICE');
export const CONNECTIONS = Symbol('LISTINGS_CONNECTIONS');
export const LISTINGS_RUNTIME = Symbol('LISTINGS_RUNTIME');
export const FEED_WAITS = Symbol('FEED_WAITS');
export const FEED_STATUS_LISTENER = Symbol('FEED_STATUS_LISTENER');
