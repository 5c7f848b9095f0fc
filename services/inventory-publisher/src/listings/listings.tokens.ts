export const LISTING_STORE = Symbol('LISTING_STORE');
export const ITEM_CHANGES = Symbol('ITEM_CHANGE_SERVICE');
export const CONNECTIONS = Symbol('LISTINGS_CONNECTIONS');
export const LISTINGS_RUNTIME = Symbol('LISTINGS_RUNTIME');
