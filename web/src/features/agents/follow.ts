/**
 * Whether a log pane keeps following its newest line. Only the person stops it, by scrolling up from where the pane
 * put itself; reaching the bottom again resumes. The pane's geometry alone cannot decide: the browser fires scroll
 * events late (after newer lines already grew the list below the position the pane set), and a pane that read those as
 * "scrolled away" could stop following by itself and then sit a screenful behind its newest line with nothing on
 * screen saying so. Pure.
 */

export interface ScrollBox {
  readonly scrollTop: number;
  readonly scrollHeight: number;
  readonly clientHeight: number;
}

/** Slack for sub-pixel scroll positions (zoom, fractional line heights). */
export const BOTTOM_SLACK_PX = 4;

export const atBottom = (box: ScrollBox): boolean =>
  box.scrollHeight - box.scrollTop - box.clientHeight <= BOTTOM_SLACK_PX;

/**
 * Following after a scroll event: yes at the bottom; no when the pane is above the position it last put itself at
 * (`placedAt`, null before it placed itself); otherwise unchanged (the list grew below, or the person scrolled down
 * without reaching the bottom).
 */
export function followsAfterScroll(box: ScrollBox, placedAt: number | null, following: boolean): boolean {
  if (atBottom(box)) return true;
  if (placedAt === null || box.scrollTop < placedAt - 1) return false;
  return following;
}
