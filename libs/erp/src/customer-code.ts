import { NonRetriableError } from '@connector/core';

/**
 * The fewest characters of the hashed buyer key a per-buyer customer code keeps: 8 base32
 * characters are 40 bits. A connection whose ERP leaves fewer (Sage 100's 7-character CustomerNo,
 * for one) is refused when it is saved; a code that another buyer already holds is never reused
 * silently: sage-writer remembers which buyer each code was made for and refuses the order.
 */
export const MIN_BUYER_KEY_CHARACTERS = 8;

/**
 * The ERP customer code of a buyer (docs/order-to-cash.md, "Customers per buyer"):
 * `<prefix><buyer key>`, the key upper-cased (ERP codes are upper case: Sage 300 IDCUST, Sage 500
 * CustID) and cut from the right to the ERP's longest customer code. The prefix is kept whole; the
 * key is cut, never the prefix. Throws `CUSTOMER_CODE_TOO_SHORT` when fewer than
 * MIN_BUYER_KEY_CHARACTERS of the key would be left.
 */
export function buyerCustomerCode(prefix: string, buyerKey: string, maxLength: number): string {
  const room = maxLength - prefix.length;
  if (room < MIN_BUYER_KEY_CHARACTERS)
    throw new NonRetriableError(
      'CUSTOMER_CODE_TOO_SHORT',
      `customer codes of ${maxLength} characters leave ${Math.max(0, room)} for the buyer key after prefix "${prefix}"; a customer per buyer needs at least ${MIN_BUYER_KEY_CHARACTERS}: shorten the prefix or keep one customer per marketplace`,
    );
  return `${prefix}${buyerKey.toUpperCase().slice(0, room)}`;
}
