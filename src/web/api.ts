import createClient from 'openapi-fetch';
import type { components, paths } from './api-types';

/*
 * The API, typed from the server's own OpenAPI document (api-types.ts, `npm run api-types`): a route,
 * parameter or field the server does not have fails the page's type check.
 */

export type Schemas = components['schemas'];
export type Development = Schemas['DevelopmentView'];
export type Claim = Schemas['ClaimView'];
export type Status = Schemas['DevelopmentStatus'];
export type Change = Schemas['KnowledgeChange'];
export type EstimateChange = Schemas['EstimateChange'];
export type Source = Schemas['SourceView'];
export type SourceDetail = Schemas['SourceDetail'];
export type SourceClaim = Schemas['SourceClaim'];
export type Problem = Schemas['Problem'];

const KEY_STORAGE = 'timeline.apiKey';

/** The API key, entered once and kept for the browser tab (session storage), never in the URL. */
export const apiKey = {
  get: (): string | null => sessionStorage.getItem(KEY_STORAGE),
  set: (key: string): void => sessionStorage.setItem(KEY_STORAGE, key),
  clear: (): void => sessionStorage.removeItem(KEY_STORAGE),
};

/** An answer that is not a 2xx, with the server's problem document when it sent one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem?: Problem,
  ) {
    super(problem?.detail ?? `the server answered ${status}`);
    this.name = 'ApiError';
  }
}

export const api = createClient<paths>({ baseUrl: location.origin });

api.use({
  onRequest({ request }) {
    const key = apiKey.get();
    if (key) request.headers.set('authorization', `Bearer ${key}`);
    return request;
  },
});

/** The data of a call, or an {@link ApiError}. */
export async function answer<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (response.ok && data !== undefined) return data;
  throw new ApiError(response.status, (error ?? undefined) as Problem | undefined);
}

/** The query values the API takes for "as known at": absent ones are left out. */
export function timeQuery(asOf: string | undefined, recordedAsOf: string | undefined): { asOf?: string; recordedAsOf?: string } {
  return { ...(asOf ? { asOf } : {}), ...(recordedAsOf ? { recordedAsOf } : {}) };
}
