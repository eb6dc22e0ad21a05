import { createContext } from 'preact';
import { useContext, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from './api';

/** What every loader needs from the page: the key's generation (a new key reloads) and a way to ask for one. */
export type Session = Readonly<{ keyGeneration: number; requireKey: () => void }>;
export const SessionContext = createContext<Session>({ keyGeneration: 0, requireKey: () => undefined });

export type Loaded<T> = Readonly<{ data?: T; error?: ApiError; loading: boolean; key?: string }>;

/**
 * Loads whenever `key` changes, cancelling the load it replaces; the last data stays shown while the
 * next loads (a moving slider does not flash). A 401 asks the page for an API key.
 */
export function useLoad<T>(key: string | undefined, load: (signal: AbortSignal) => Promise<T>): Loaded<T> {
  const session = useContext(SessionContext);
  const [state, setState] = useState<Loaded<T>>({ loading: key !== undefined });
  const loadRef = useRef(load);
  loadRef.current = load;
  // A layout effect: the request leaves as soon as the view is known, not a frame later.
  useLayoutEffect(() => {
    if (key === undefined) return undefined;
    const controller = new AbortController();
    setState((previous) => ({ ...previous, loading: true }));
    loadRef.current(controller.signal).then(
      (data) => {
        if (!controller.signal.aborted) setState({ data, loading: false, key });
      },
      (error: unknown) => {
        if (controller.signal.aborted) return;
        const failure = error instanceof ApiError ? error : new ApiError(0, { type: 'about:blank', title: 'Network error', status: 0, detail: String(error) });
        if (failure.status === 401) session.requireKey();
        setState({ error: failure, loading: false, key });
      },
    );
    return () => controller.abort();
  }, [key, session.keyGeneration]);
  return state;
}
