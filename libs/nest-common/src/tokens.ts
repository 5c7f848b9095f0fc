/** Injection tokens for the connector's plain libraries (interfaces have no runtime identity). */
export const CONFIG = Symbol('CONFIG');
export const LOGGER = Symbol('LOGGER');
export const METRICS = Symbol('METRICS');
export const DB = Symbol('DB');
export const KAFKA = Symbol('KAFKA_RUNTIME');
export const EVENT_PUBLISHER = Symbol('EVENT_PUBLISHER');
export const AUDIT_STORE = Symbol('AUDIT_STORE');
export const READINESS_CHECKS = Symbol('READINESS_CHECKS');

export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}
