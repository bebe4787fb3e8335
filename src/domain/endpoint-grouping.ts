import { createHash } from 'node:crypto';
import type { EndpointRef } from './endpoint';

/**
 * Which hooks share an endpoint. `path`: the target URL's origin and path, without its query string (the
 * default: one receiver URL is one endpoint). `origin`: everything on one scheme, host and port.
 * `pathPrefix`: the origin and the first `pathSegments` segments of the path, for receivers that put
 * an id in the path (`/customers/42/hooks` with two segments is one endpoint per customer).
 */
export type EndpointGrouping = { by: 'path' } | { by: 'origin' } | { by: 'pathPrefix'; pathSegments: number };

export const ENDPOINT_ID_PATTERN = /^ep_[0-9a-f]{24}$/;

/** The endpoint a target URL belongs to under a grouping rule; the same URL always gives the same id. */
export function endpointOf(targetUrl: string, grouping: EndpointGrouping): EndpointRef {
  const url = new URL(targetUrl);
  const key = url.origin + groupedPath(url.pathname, grouping);
  return { id: `ep_${createHash('sha256').update(key).digest('hex').slice(0, 24)}`, url: key };
}

function groupedPath(pathname: string, grouping: EndpointGrouping): string {
  switch (grouping.by) {
    case 'path':
      return pathname;
    case 'origin':
      return '';
    case 'pathPrefix': {
      const segments = pathname.split('/').filter((segment) => segment.length > 0);
      const kept = segments.slice(0, grouping.pathSegments);
      return kept.length === 0 ? '' : `/${kept.join('/')}`;
    }
  }
}
