import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, answer, apiKey, timeQuery, type Source } from './api';
import { ChangesPanel } from './changes';
import { Filters, TimeControls } from './controls';
import { asOfDay, dayText, DAY_MS, knownFromMs, periodEndMs, readableDate } from './dates';
import { DevelopmentPanel } from './development';
import { SessionContext, useLoad } from './load';
import { NavigationContext, useNavigation } from './navigation';
import { SourcePanel } from './source';
import { STATUSES } from './status';
import { Timeline } from './timeline';
import { knowledgeDays } from './timeline-scale';
import { readView, viewUrl, type ViewState } from './view-state';

const PAGE_SIZE = 500;

/** The page: its state is the URL (read on load and on back/forward, written on every change). */
export function App() {
  const [view, setView] = useState<ViewState>(() => readView(location.pathname, location.search));
  const [keyGeneration, setKeyGeneration] = useState(0);
  const [askingKey, setAskingKey] = useState(false);
  useEffect(() => {
    const onPop = () => setView(readView(location.pathname, location.search));
    addEventListener('popstate', onPop);
    return () => removeEventListener('popstate', onPop);
  }, []);
  const go = useCallback((next: ViewState, options?: { replace?: boolean }) => {
    const url = viewUrl(next);
    if (url !== location.pathname + location.search) {
      if (options?.replace) history.replaceState(null, '', url);
      else history.pushState(null, '', url);
    }
    setView(next);
  }, []);
  const navigation = useMemo(() => ({ view, go }), [view, go]);
  const session = useMemo(() => ({ keyGeneration, requireKey: () => setAskingKey(true) }), [keyGeneration]);
  const keyEntered = (key: string | undefined) => {
    if (key) apiKey.set(key);
    else apiKey.clear();
    setAskingKey(false);
    setKeyGeneration((generation) => generation + 1);
  };
  return (
    <SessionContext.Provider value={session}>
      <NavigationContext.Provider value={navigation}>
        <Workbench askingKey={askingKey} onKey={keyEntered} onAskKey={() => setAskingKey(true)} onCancelKey={() => setAskingKey(false)} />
      </NavigationContext.Provider>
    </SessionContext.Provider>
  );
}

function Workbench(props: { askingKey: boolean; onKey: (key: string | undefined) => void; onAskKey: () => void; onCancelKey: () => void }) {
  const { view } = useNavigation();
  const recorded = timeQuery(undefined, view.recordedAsOf);
  const times = timeQuery(view.asOf, view.recordedAsOf);

  // The slider's days: from the first report known now to the last (as recorded by recordedAsOf).
  const everything = useLoad(JSON.stringify(['days', view.recordedAsOf]), (signal) =>
    answer(api.GET('/v1/knowledge', { params: { query: { limit: String(PAGE_SIZE), ...recorded } }, signal })),
  );
  const days = useMemo(() => {
    const items = everything.data?.items ?? [];
    return knowledgeDays(items.map((i) => i.firstReportedAt), items.map((i) => i.lastReportedAt));
  }, [everything.data]);

  const status = STATUSES.find((known) => known === view.status);
  const filters = { ...(view.topic ? { topic: view.topic } : {}), ...(status ? { status } : {}), ...(view.sourceId ? { sourceId: view.sourceId } : {}), ...(view.q ? { q: view.q } : {}) };
  const knowledgeKey = JSON.stringify(['knowledge', times, filters]);
  const knowledge = useLoad(knowledgeKey, (signal) => answer(api.GET('/v1/knowledge', { params: { query: { ...times, ...filters, limit: String(PAGE_SIZE) } }, signal })));
  const timesKey = JSON.stringify(times);
  const sources = useLoad(timesKey, (signal) => answer(api.GET('/v1/sources', { params: { query: times }, signal })));
  const topics = useLoad(timesKey, (signal) => answer(api.GET('/v1/topics', { params: { query: times }, signal })));

  const sourceMap = useMemo(() => new Map<string, Source>((sources.data?.items ?? []).map((s) => [s.id, s])), [sources.data]);
  // Without an asOf, everything known now counts (no clock read per render).
  const asOfMs = view.asOf === undefined ? Infinity : (periodEndMs(view.asOf) ?? Infinity);
  // The source filter offers those who had said something by asOf (a source registered but not yet heard from is not news).
  const heardFrom = useMemo(() => {
    const spoke = new Set((everything.data?.items ?? []).flatMap((item) => item.claims.filter((claim) => (knownFromMs(claim.reportedAt) ?? Infinity) <= asOfMs).map((claim) => claim.source.id)));
    return (sources.data?.items ?? []).filter((source) => spoke.has(source.id) || source.id === view.sourceId);
  }, [everything.data, sources.data, asOfMs, view.sourceId]);
  // The changes list reuses the timeline's titles when the timeline is the same query (topic only).
  const titles = useMemo(
    () => (status || view.sourceId || view.q ? undefined : new Map((knowledge.data?.items ?? []).map((item) => [item.id, item.title]))),
    [knowledge.data, status, view.sourceId, view.q],
  );
  const to = view.asOf ?? dayText(Date.now());
  const sinceDefault = dayText((periodEndMs(asOfDay(view.asOf) ?? days?.last ?? to) ?? Date.now()) - 7 * DAY_MS);
  const nothingRecorded = view.recordedAsOf !== undefined && everything.data !== undefined && everything.data.items.length === 0;
  useHeaderHeight();

  return (
    <>
      <a class="skip" href="#panel">
        Skip to the panel
      </a>
      <header class="top">
        <h1>
          <a href="/">Timeline</a>
        </h1>
        <TimeControls days={days} />
        <KeyStatus onAskKey={props.onAskKey} onForget={() => props.onKey(undefined)} />
      </header>
      {props.askingKey && <KeyDialog onKey={props.onKey} onCancel={props.onCancelKey} />}
      <main class="layout">
        <section class="left" aria-label="Timeline">
          <Filters topics={topics.data?.items ?? []} sources={heardFrom} />
          {knowledge.error && knowledge.error.status !== 401 && (
            <p class="error" role="alert" data-testid="error">
              {knowledge.error.message}
            </p>
          )}
          {nothingRecorded && (
            <p class="note" data-testid="nothing-recorded">
              Nothing had been recorded by {readableDate(view.recordedAsOf!)} (transaction time): clear “Recorded as of” to see what is recorded now.
            </p>
          )}
          {knowledge.data && !nothingRecorded && (
            <Timeline items={knowledge.data.items} zoom={view.zoom} asOf={view.asOf} truncated={knowledge.data.nextCursor !== null} />
          )}
          {!knowledge.data && knowledge.loading && <p class="loading">Loading…</p>}
        </section>
        <aside class="right" id="panel" aria-label="Details">
          {view.route.page === 'development' && <DevelopmentPanel key={view.route.id} id={view.route.id} sources={sourceMap} />}
          {view.route.page === 'source' && <SourcePanel key={view.route.id} id={view.route.id} />}
          {view.route.page === 'timeline' && <ChangesPanel to={to} since={view.since ?? sinceDefault} titles={titles} sources={sourceMap} />}
        </aside>
      </main>
    </>
  );
}

function KeyStatus(props: { onAskKey: () => void; onForget: () => void }) {
  const key = apiKey.get();
  return (
    <div class="key">
      {key ? (
        <button type="button" onClick={props.onForget} data-testid="forget-key">
          forget API key
        </button>
      ) : (
        <button type="button" onClick={props.onAskKey} data-testid="enter-key">
          API key…
        </button>
      )}
    </div>
  );
}

/** Asked for when the server answers 401: kept in this tab's session storage, sent as a Bearer token. */
function KeyDialog(props: { onKey: (key: string | undefined) => void; onCancel: () => void }) {
  const [value, setValue] = useState('');
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    // A modal <dialog>: focus moves into it, Tab stays in it, Escape cancels, focus returns on close.
    dialog.current?.showModal();
    return () => dialog.current?.close();
  }, []);
  return (
    <dialog
      ref={dialog}
      class="key-dialog"
      aria-labelledby="key-heading"
      onCancel={(event) => {
        event.preventDefault();
        props.onCancel();
      }}
    >
      <form
        method="dialog"
        onSubmit={(event) => {
          event.preventDefault();
          if (value.trim()) props.onKey(value.trim());
        }}
      >
        <h2 id="key-heading">This server asks for an API key</h2>
        <p>Enter a reader key. It is kept in this tab only (session storage) and sent with each request to this server.</p>
        <input
          type="password"
          autocomplete="off"
          aria-label="API key"
          data-testid="key-input"
          value={value}
          onInput={(event) => setValue(event.currentTarget.value)}
        />
        <div class="key-actions">
          <button type="submit" data-testid="key-submit">
            Use this key
          </button>
          <button type="button" onClick={props.onCancel}>
            Cancel
          </button>
        </div>
      </form>
    </dialog>
  );
}

/** The sticky header's height, for what sticks below it (the timeline's axis): `--header-height`. */
function useHeaderHeight(): void {
  useEffect(() => {
    const header = document.querySelector<HTMLElement>('header.top');
    if (!header) return undefined;
    const observer = new ResizeObserver(() => document.documentElement.style.setProperty('--header-height', `${header.offsetHeight}px`));
    observer.observe(header);
    return () => observer.disconnect();
  }, []);
}
