/**
 * Server-driven paging as both ERPs do it: `$skip` and `$top` cut a window out of the matching
 * rows, the server's page size cuts the window, and the rest of the window is reached through a
 * next link whose query is the request's with `$skip` moved on and `$top` reduced by the page.
 */
export interface PageRequest {
  skip: number;
  top?: number;
  /** rows per page; undefined serves the whole window */
  pageSize?: number;
}

export function serverPage<T>(
  rows: readonly T[],
  query: URLSearchParams,
  { skip, top, pageSize }: PageRequest,
): { page: T[]; next?: URLSearchParams } {
  const window = rows.slice(skip, top === undefined ? undefined : skip + top);
  const page = pageSize === undefined ? window : window.slice(0, pageSize);
  if (page.length >= window.length) return { page };
  const next = new URLSearchParams(query);
  next.set('$skip', String(skip + page.length));
  if (top !== undefined) next.set('$top', String(top - page.length));
  return { page, next };
}
