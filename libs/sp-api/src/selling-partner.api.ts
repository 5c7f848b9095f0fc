import { gunzipSync } from 'node:zlib';
import type { definitions as Feeds } from './generated/feeds_2021_06_30';
import type { definitions as FinancesV0, operations as FinancesV0Ops } from './generated/financesV0';
import type {
  definitions as Finances2024,
  operations as Finances2024Ops,
} from './generated/finances_2024_06_19';
import type {
  definitions as Listings,
  operations as ListingsOps,
} from './generated/listingsItems_2021_08_01';
import type { definitions as OrdersV0 } from './generated/ordersV0';
import type { definitions as Orders, operations as OrdersOps } from './generated/orders_2026_01_01';
import type { definitions as Reports, operations as ReportsOps } from './generated/reports_2021_06_30';
import type { definitions as Sellers } from './generated/sellers';
import type { HttpTransport } from '@connector/core';
import type { SpApiClient } from './sp-api.client';

type Query<Op> = Op extends { parameters: { query?: infer Q } } ? Q : never;
const enc = encodeURIComponent;

export type Order = Orders['Order'];
/** Orders v0 confirmShipment's body (package, carrier, tracking, order items). */
export type ConfirmShipmentRequest = OrdersV0['ConfirmShipmentRequest'];
export type Report = Reports['Report'];
export type FinancialEventGroup = FinancesV0['FinancialEventGroup'];
export type FinancialEvents = FinancesV0['FinancialEvents'];
export type Transaction = Finances2024['Transaction'];

/**
 * The operations the connector uses, typed from Amazon's models (generated types), over one
 * SpApiClient (one selling partner). List operations are async iterators that follow next tokens.
 */
export class SellingPartnerApi {
  constructor(
    readonly client: SpApiClient,
    /** downloads report documents from their pre-signed URLs (no SP-API token, no rate limit) */
    private readonly documents: HttpTransport,
  ) {}

  // ---- Orders 2026-01-01 (reads) and v0 (confirmShipment)

  searchOrders(query: Query<OrdersOps['searchOrders']>): AsyncGenerator<Order> {
    return this.client.paginate(
      async (paginationToken) =>
        (
          await this.client.call<Orders['SearchOrdersResponse']>(
            'searchOrders',
            'GET',
            '/orders/2026-01-01/orders',
            {
              query: paginationToken ? { ...query, paginationToken } : { ...query },
            },
          )
        ).body,
      (page) => page.orders,
      (page) => page.pagination?.nextToken,
    );
  }

  async getOrder(orderId: string, includedData?: readonly string[]): Promise<Order> {
    const res = await this.client.call<Orders['GetOrderResponse']>(
      'getOrder',
      'GET',
      `/orders/2026-01-01/orders/${enc(orderId)}`,
      {
        query: { includedData },
      },
    );
    return res.body.order;
  }

  async confirmShipment(orderId: string, body: ConfirmShipmentRequest): Promise<void> {
    await this.client.call(
      'confirmShipment',
      'POST',
      `/orders/v0/orders/${enc(orderId)}/shipmentConfirmation`,
      { body },
    );
  }

  // ---- Reports 2021-06-30

  getReports(query: Query<ReportsOps['getReports']>): AsyncGenerator<Report> {
    return this.client.paginate(
      async (nextToken) =>
        (
          await this.client.call<Reports['GetReportsResponse']>(
            'getReports',
            'GET',
            '/reports/2021-06-30/reports',
            {
              // with nextToken, Amazon wants no other parameter
              query: nextToken ? { nextToken } : { ...query },
            },
          )
        ).body,
      (page) => page.reports,
      (page) => page.nextToken,
    );
  }

  async createReport(spec: Reports['CreateReportSpecification']): Promise<string> {
    const res = await this.client.call<Reports['CreateReportResponse']>(
      'createReport',
      'POST',
      '/reports/2021-06-30/reports',
      { body: spec },
    );
    return res.body.reportId;
  }

  async getReport(reportId: string): Promise<Report> {
    return (
      await this.client.call<Report>('getReport', 'GET', `/reports/2021-06-30/reports/${enc(reportId)}`)
    ).body;
  }

  async getReportDocument(reportDocumentId: string): Promise<Reports['ReportDocument']> {
    return (
      await this.client.call<Reports['ReportDocument']>(
        'getReportDocument',
        'GET',
        `/reports/2021-06-30/documents/${enc(reportDocumentId)}`,
      )
    ).body;
  }

  /** Downloads a report document from its short-lived URL and gunzips it when Amazon says GZIP. */
  async downloadReportDocument(
    doc: Pick<Reports['ReportDocument'], 'url' | 'compressionAlgorithm'>,
  ): Promise<Buffer> {
    const res = await this.documents.request({ method: 'GET', url: doc.url });
    if (res.status !== 200)
      throw new Error(`report document download answered ${res.status} (the URL lives 5 minutes)`);
    return doc.compressionAlgorithm === 'GZIP' ? gunzipSync(res.body) : res.body;
  }

  // ---- Finances v0 and 2024-06-19

  listFinancialEventGroups(
    query: Query<FinancesV0Ops['listFinancialEventGroups']>,
  ): AsyncGenerator<FinancialEventGroup> {
    return this.client.paginate(
      async (NextToken) =>
        (
          await this.client.call<FinancesV0['ListFinancialEventGroupsResponse']>(
            'listFinancialEventGroups',
            'GET',
            '/finances/v0/financialEventGroups',
            { query: { ...query, NextToken } },
          )
        ).body.payload,
      (payload) => payload?.FinancialEventGroupList,
      (payload) => payload?.NextToken,
    );
  }

  /** One FinancialEvents object per page (each holds lists per event type). */
  listFinancialEventsByGroupId(
    eventGroupId: string,
    query: Query<FinancesV0Ops['listFinancialEventsByGroupId']> = {},
  ): AsyncGenerator<FinancialEvents> {
    return this.client.paginate(
      async (NextToken) =>
        (
          await this.client.call<FinancesV0['ListFinancialEventsResponse']>(
            'listFinancialEventsByGroupId',
            'GET',
            `/finances/v0/financialEventGroups/${enc(eventGroupId)}/financialEvents`,
            { query: { ...query, NextToken } },
          )
        ).body.payload,
      (payload) => (payload?.FinancialEvents ? [payload.FinancialEvents] : []),
      (payload) => payload?.NextToken,
    );
  }

  listTransactions(query: Query<Finances2024Ops['listTransactions']>): AsyncGenerator<Transaction> {
    return this.client.paginate(
      async (nextToken) =>
        (
          await this.client.call<Finances2024['ListTransactionsResponse']>(
            'listTransactions',
            'GET',
            '/finances/2024-06-19/transactions',
            {
              query: { ...query, nextToken },
            },
          )
        ).body.payload,
      (payload) => payload?.transactions,
      (payload) => payload?.nextToken,
    );
  }

  // ---- Listings Items 2021-08-01, Feeds 2021-06-30, Sellers v1

  async getListingsItem(
    sku: string,
    query: Query<ListingsOps['getListingsItem']>,
  ): Promise<Listings['Item']> {
    const path = `/listings/2021-08-01/items/${enc(this.client.sellerId)}/${enc(sku)}`;
    return (await this.client.call<Listings['Item']>('getListingsItem', 'GET', path, { query })).body;
  }

  async patchListingsItem(
    sku: string,
    query: Query<ListingsOps['patchListingsItem']>,
    body: Listings['ListingsItemPatchRequest'],
  ): Promise<Listings['ListingsItemSubmissionResponse']> {
    const path = `/listings/2021-08-01/items/${enc(this.client.sellerId)}/${enc(sku)}`;
    return (
      await this.client.call<Listings['ListingsItemSubmissionResponse']>('patchListingsItem', 'PATCH', path, {
        query,
        body,
      })
    ).body;
  }

  async createFeedDocument(contentType: string): Promise<Feeds['CreateFeedDocumentResponse']> {
    return (
      await this.client.call<Feeds['CreateFeedDocumentResponse']>(
        'createFeedDocument',
        'POST',
        '/feeds/2021-06-30/documents',
        {
          body: { contentType },
        },
      )
    ).body;
  }

  /** Uploads the feed content to the URL createFeedDocument returned. */
  async uploadFeedDocument(url: string, contentType: string, content: string | Buffer): Promise<void> {
    const res = await this.documents.request({
      method: 'PUT',
      url,
      headers: { 'content-type': contentType },
      body: content,
    });
    if (res.status < 200 || res.status >= 300) throw new Error(`feed document upload answered ${res.status}`);
  }

  async createFeed(spec: Feeds['CreateFeedSpecification']): Promise<string> {
    return (
      await this.client.call<Feeds['CreateFeedResponse']>('createFeed', 'POST', '/feeds/2021-06-30/feeds', {
        body: spec,
      })
    ).body.feedId;
  }

  async getFeed(feedId: string): Promise<Feeds['Feed']> {
    return (await this.client.call<Feeds['Feed']>('getFeed', 'GET', `/feeds/2021-06-30/feeds/${enc(feedId)}`))
      .body;
  }

  async getFeedDocument(feedDocumentId: string): Promise<Feeds['FeedDocument']> {
    return (
      await this.client.call<Feeds['FeedDocument']>(
        'getFeedDocument',
        'GET',
        `/feeds/2021-06-30/documents/${enc(feedDocumentId)}`,
      )
    ).body;
  }

  /** Downloads a feed's processing report from its short-lived URL (gunzipped when Amazon says GZIP). */
  async downloadFeedDocument(doc: Feeds['FeedDocument']): Promise<Buffer> {
    return this.downloadReportDocument(doc);
  }

  async getMarketplaceParticipations(): Promise<Sellers['MarketplaceParticipationList']> {
    const res = await this.client.call<Sellers['GetMarketplaceParticipationsResponse']>(
      'getMarketplaceParticipations',
      'GET',
      '/sellers/v1/marketplaceParticipations',
    );
    return res.body.payload ?? [];
  }
}
