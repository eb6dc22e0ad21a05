/*
 * The page's whole state lives in its URL, so a link reproduces the view: the path names what is open
 * (the timeline, one development, one source), the query the times and filters. Pure: no DOM.
 */

export type Route = { page: 'timeline' } | { page: 'development'; id: string } | { page: 'source'; id: string };

export const ZOOMS = ['all', '1y', '90d', '30d'] as const;
export type Zoom = (typeof ZOOMS)[number];
/** A year of occurred time up to the as-of: the months a news timeline is about, with the year's context. */
export const DEFAULT_ZOOM: Zoom = '1y';

export type ViewState = Readonly<{
  route: Route;
  /** Knowledge time: a day (YYYY-MM-DD) or an instant; absent: now. */
  asOf?: string;
  /** Transaction time: an instant; absent: now. */
  recordedAsOf?: string;
  /** The start of the "what changed" window, which ends at asOf; absent: a week before asOf. */
  since?: string;
  topic?: string;
  status?: string;
  sourceId?: string;
  q?: string;
  zoom: Zoom;
}>;

const QUERY_KEYS = ['asOf', 'recordedAsOf', 'since', 'topic', 'status', 'sourceId', 'q', 'zoom'] as const;

/** `/developments/:id` and `/sources/:id`; anything else is the timeline. */
export function routeOf(pathname: string): Route {
  const match = /^\/(developments|sources)\/([^/]+)\/?$/.exec(pathname);
  if (!match) return { page: 'timeline' };
  let id: string;
  try {
    id = decodeURIComponent(match[2]);
  } catch {
    return { page: 'timeline' };
  }
  return match[1] === 'developments' ? { page: 'development', id } : { page: 'source', id };
}

export function pathOf(route: Route): string {
  if (route.page === 'development') return `/developments/${encodeURIComponent(route.id)}`;
  if (route.page === 'source') return `/sources/${encodeURIComponent(route.id)}`;
  return '/';
}

export function readView(pathname: string, search: string): ViewState {
  const query = new URLSearchParams(search);
  const text = (key: string) => {
    const value = query.get(key)?.trim();
    return value ? value : undefined;
  };
  const zoom = text('zoom');
  return {
    route: routeOf(pathname),
    asOf: text('asOf'),
    recordedAsOf: text('recordedAsOf'),
    since: text('since'),
    topic: text('topic'),
    status: text('status'),
    sourceId: text('sourceId'),
    q: text('q'),
    zoom: (ZOOMS as readonly string[]).includes(zoom ?? '') ? (zoom as Zoom) : DEFAULT_ZOOM,
  };
}

/** The view's address: the path and, in a fixed order, every query value that is set. */
export function viewUrl(view: ViewState): string {
  const query = new URLSearchParams();
  for (const key of QUERY_KEYS) {
    const value = view[key];
    if (value !== undefined && !(key === 'zoom' && value === DEFAULT_ZOOM)) query.set(key, value);
  }
  const search = query.toString();
  return pathOf(view.route) + (search ? `?${search}` : '');
}

/** The same times and filters with another page open. */
export const withRoute = (view: ViewState, route: Route): ViewState => ({ ...view, route });
