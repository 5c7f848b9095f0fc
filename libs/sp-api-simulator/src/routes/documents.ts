import type { ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import type { SimState } from '../state';

/**
 * The pre-signed document URLs (S3 in real life, reference/sp-api/FACTS.md §6 and §8): downloads of
 * report documents and feed processing reports, gzip; uploads of feed documents, whose Content-Type must
 * be the one given to createFeedDocument. A URL works for `documentUrlTtlMs` (five minutes).
 */
function s3Error(res: ServerResponse, status: number, code: string, message = ''): void {
  res.writeHead(status, { 'content-type': 'application/xml' });
  res.end(
    `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code>${message ? `<Message>${message}</Message>` : ''}</Error>`,
  );
}

export function downloadDocument(
  state: SimState,
  res: ServerResponse,
  rawId: string,
  q: URLSearchParams,
): void {
  const documentId = decodeURIComponent(rawId);
  if (!state.validSignature(documentId, q)) return s3Error(res, 403, 'AccessDenied', 'Request has expired');
  const feedResult = state.feeds.find((f) => f.result && `${f.feedId}-result` === documentId);
  const report = state.reports.find((x) => x.documentId === documentId);
  if (!feedResult && !report) return s3Error(res, 404, 'NoSuchKey');
  res.writeHead(200, {
    'content-type': feedResult ? 'application/json; charset=UTF-8' : 'text/plain; charset=UTF-8',
    ...(q.get('ce') === 'gzip' ? { 'content-encoding': 'gzip' } : {}),
  });
  res.end(gzipSync(Buffer.from(feedResult ? feedResult.result! : report!.content(), 'utf8')));
}

export function uploadDocument(
  state: SimState,
  res: ServerResponse,
  id: string,
  q: URLSearchParams,
  contentType: string,
  content: Buffer,
): void {
  const doc = state.feedDocuments.get(id);
  if (!doc || !state.validSignature(id, q) || contentType !== doc.contentType)
    return s3Error(res, 403, 'SignatureDoesNotMatch');
  doc.content = content;
  res.writeHead(200);
  res.end();
}
