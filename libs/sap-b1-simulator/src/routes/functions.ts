import { textOf } from '@connector/simulator-odata';
import { SlError, invalidPayload, invalidValue } from '../errors';
import type { Row } from '../odata';
import { D, N, type SapB1State } from '../state';
import { rateMissing } from './documents';

/**
 * The service functions the connector calls, reference/erp/sap-b1/functions-subset.json (FunctionImports
 * of the Service Layer `$metadata` [SL-M]), all `POST /b1s/v1/<Service>_<Method>` with their
 * parameters in a JSON body:
 * - `CompanyService_GetAdminInfo` → AdminInfo (`LocalCurrency`, `SystemCurrency`, `DirectIndirectRate`);
 * - `SBOBobService_GetLocalCurrency` → Edm.String;
 * - `SBOBobService_GetCurrencyRate {Currency, Date}` → Edm.Double from the rate table (ORTT) for that
 *   day, 1 for the local currency; a day without a rate is refused with -4006 (the code a third-party
 *   client reads as "rate missing" [3P]; its text here is [?]);
 * - `SBOBobService_SetCurrencyRate {Currency, RateDate, Rate}` → 204.
 * Dates as `YYYYMMDD` (what clients send) or `YYYY-MM-DD`. The simulator quotes rates directly
 * (local units per unit of the currency: DirectIndirectRate tYES) and holds no currency table: any
 * three-letter code is a currency.
 */
export function callFunction(
  state: SapB1State,
  name: string,
  body: unknown,
  write: () => void,
): { type: string; body: Row } | undefined {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw invalidPayload();
  const p = body as Row;
  switch (name) {
    case 'CompanyService_GetAdminInfo':
      return {
        type: 'SAPB1.AdminInfo',
        body: {
          Code: 1,
          CompanyName: 'OEC Computers (simulated)',
          LocalCurrency: state.localCurrency,
          SystemCurrency: state.localCurrency,
          DirectIndirectRate: 'tYES',
        },
      };
    case 'SBOBobService_GetLocalCurrency':
      return { type: 'Edm.String', body: { value: state.localCurrency } };
    case 'SBOBobService_GetCurrencyRate': {
      const currency = currencyOf(p.Currency, 'Currency');
      const date = dateOf(p.Date, 'Date');
      const rate = state.rate(currency, date);
      if (!rate) throw rateMissing(currency, date);
      return { type: 'Edm.Double', body: { value: N(rate) } };
    }
    case 'SBOBobService_SetCurrencyRate': {
      write();
      const currency = currencyOf(p.Currency, 'Currency');
      const date = dateOf(p.RateDate, 'RateDate');
      const text = textOf(p.Rate ?? '');
      if (!/^\d+(\.\d+)?$/.test(text) || !D(text).gt(0)) throw invalidValue('Rate');
      if (currency === state.localCurrency)
        throw new SlError(400, -5002, 'Cannot set a rate for the local currency');
      state.setRate(currency, date, D(text));
      return undefined;
    }
    default:
      throw new SlError(404, -1000, `Resource not found for the segment '${name}'.`);
  }
}

function currencyOf(v: unknown, prop: string): string {
  if (typeof v !== 'string' || !/^[A-Z]{3}$/.test(v)) throw invalidValue(prop);
  return v;
}

function dateOf(v: unknown, prop: string): string {
  const s = typeof v === 'string' ? v : '';
  const m = /^(\d{4})-?(\d{2})-?(\d{2})/.exec(s);
  if (!m) throw invalidValue(prop);
  return `${m[1]}-${m[2]}-${m[3]}`;
}
