import { createContext, type ComponentChildren } from 'preact';
import { useContext } from 'preact/hooks';
import { type Route, type ViewState, viewUrl, withRoute } from './view-state';

/** The view in the URL and how to move to another: `replace` for steps that should not fill history (a slider). */
export type Navigation = Readonly<{ view: ViewState; go: (view: ViewState, options?: { replace?: boolean }) => void }>;

export const NavigationContext = createContext<Navigation | undefined>(undefined);

export function useNavigation(): Navigation {
  const navigation = useContext(NavigationContext);
  if (!navigation) throw new Error('useNavigation outside the page');
  return navigation;
}

/** A real link (it opens in a new tab, it can be copied) that moves within the page on a plain click. */
export function Link(props: { to: ViewState | Route; class?: string; children: ComponentChildren; label?: string; current?: boolean }) {
  const { view, go } = useNavigation();
  const to = 'page' in props.to ? withRoute(view, props.to) : props.to;
  return (
    <a
      href={viewUrl(to)}
      class={props.class}
      aria-label={props.label}
      aria-current={props.current ? 'page' : undefined}
      onClick={(event) => {
        if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
        event.preventDefault();
        go(to);
      }}
    >
      {props.children}
    </a>
  );
}
