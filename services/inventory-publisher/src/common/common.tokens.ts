/** What listings/ and shipments/ share in one inventory-publisher process. */
export const MAPPING_CACHE = Symbol('MAPPING_CACHE');
export const MAPPING_LOADER = Symbol('MAPPING_LOADER');
export const SP_API_FACTORY = Symbol('SP_API_FACTORY');
export const CONNECTION_REPOSITORY = Symbol('CONNECTION_REPOSITORY');
