/** A Service Layer error: HTTP status, SAP's numeric code and the message of its error envelope. */
export class SlError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export const INVALID_SESSION = 'Invalid session or session already timeout.';
export const NOT_SUPPORTED = 'The requested action is not supported for this object.';

export const invalidValue = (prop: string) =>
  new SlError(400, -1000, `Value of property '${prop}' is invalid`);
export const invalidPayload = (message = 'Invalid payload') => new SlError(400, -1000, message);
export const validation = (message: string) => new SlError(400, -5002, message);
export const notFound = () => new SlError(404, -2028, 'No matching records found (ODBC -2028)');
export const notSupported = (message = NOT_SUPPORTED) => new SlError(400, -5006, message);
