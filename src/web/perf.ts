/*
 * What the browser test and `npm run bench` read of the page's speed, through the Performance API:
 * `timeline-painted` (a mark, once: the first timeline drawn with data, from navigation start) and
 * `slider-move` (a measure per move of the as-of slider, from the input to the redrawn timeline).
 */

let pendingMove: { asOf: string; startMs: number } | undefined;

export function sliderMoved(asOf: string): void {
  pendingMove = { asOf, startMs: performance.now() };
}

/** Called once a timeline is on screen for `asOf` (after the browser has painted it). */
export function timelineDrawn(asOf: string | undefined): void {
  // The frame after the DOM changed, then the task after its paint: the timeline is on screen.
  requestAnimationFrame(() => setTimeout(() => {
    if (performance.getEntriesByName('timeline-painted').length === 0) performance.mark('timeline-painted');
    if (pendingMove && pendingMove.asOf === asOf) {
      performance.measure('slider-move', { start: pendingMove.startMs, end: performance.now() });
      pendingMove = undefined;
    }
  }));
}
