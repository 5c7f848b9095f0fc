export const AUTH_SERVICE = Symbol('AUTH_SERVICE');
export const AUTH_STORE = Symbol('AUTH_STORE');
export const COOKIE_SETTINGS = Symbol('COOKIE_SETTINGS');
export const CONSOLE_AUDIT = Symbol('CONSOLE_AUDIT');

export interface CookieSettings {
  /** `__Host-` names are refused by browsers unless Secure, path=/ and no domain: a cookie no subdomain can plant */
  name: string;
  secure: boolean;
}

export const cookieSettings = (secure: boolean): CookieSettings => ({
  name: secure ? '__Host-console-session' : 'console-session',
  secure,
});
