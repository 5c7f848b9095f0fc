import { NonRetriableError } from '@connector/core';
import type { OrderToCashSettings } from '@connector/db';
import type { ErpPort, ForeignCurrency } from '@connector/erp';
import { decimal } from '@connector/money';

/**
 * The exchange-rate fields of a document, credit note, journal or receipt (docs/order-to-cash.md,
 * "Foreign currency"): none when the connection names no home currency or the document is in it;
 * otherwise the rate from the ERP's own rate table on the document's date, or, for journals and
 * receipts of a connection whose rate source is `deposit`, the rate the settlement's journal
 * carries (`depositRate`). No rate → FX_RATE_MISSING (dead letter; replay it once the accountant
 * has entered the rate); an ERP without multi-currency → FX_UNSUPPORTED.
 */
export async function fxFor(
  erp: ErpPort,
  settings: OrderToCashSettings,
  what: string,
  currency: string,
  date: string,
  depositRate?: string | null,
): Promise<ForeignCurrency | undefined> {
  const home = settings.homeCurrency;
  if (!home || currency === home) return undefined;
  if (!erp.capabilities.multiCurrency)
    throw new NonRetriableError(
      'FX_UNSUPPORTED',
      `${what} is in ${currency}, but the company's currency is ${home} and the ${erp.capabilities.kind} connector writes no foreign-currency documents: post it by hand, or map this marketplace to a company kept in ${currency}`,
    );
  // the schema refuses a home currency without it
  const roundingAccount = settings.fx?.roundingAccount ?? '';
  if (settings.fx?.rateSource === 'deposit' && depositRate) {
    const rate = decimal(depositRate);
    if (!rate.isFinite() || rate.lte(0))
      throw new NonRetriableError(
        'FX_RATE_INVALID',
        `${what}: the deposit's rate ${depositRate} for ${currency} is not a positive number`,
      );
    return { homeCurrency: home, rate: rate.toFixed(), rateSource: 'DEPOSIT', roundingAccount };
  }
  const rate = await erp.exchangeRate(currency, date);
  if (rate === null)
    throw new NonRetriableError(
      'FX_RATE_MISSING',
      `${what}: the ${erp.capabilities.kind} rate table has no ${currency}→${home} rate for ${date}; enter it in the ERP, then replay this dead letter`,
    );
  return { homeCurrency: home, rate, rateSource: 'ERP', roundingAccount };
}
