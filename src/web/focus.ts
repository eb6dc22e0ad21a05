import { useEffect, useRef } from 'preact/hooks';
import { readableDate } from './dates';

/**
 * A panel opened from a link takes the focus on its heading (a keyboard or screen-reader user lands
 * on what opened, not back at the top), and names the tab after it.
 */
export function useFocusOnOpen(name: string | undefined, asOf: string | undefined) {
  const heading = useRef<HTMLHeadingElement>(null);
  const focused = useRef(false);
  useEffect(() => {
    if (name === undefined) return;
    document.title = `${name} · as of ${asOf ? readableDate(asOf) : 'now'} · Timeline`;
    if (!focused.current && heading.current) {
      heading.current.focus({ preventScroll: true });
      focused.current = true;
    }
  }, [name, asOf]);
  return heading;
}
