import { parentOf } from "./target";

const SCROLLS = /auto|scroll|overlay/;
const LOCKED = /hidden|clip/;

/**
 * How far to scroll along one axis so that [a, b] sits centred in the
 * visible [lo, hi]: 0 when it is wholly in already, else clamped to what the
 * box can still scroll by ([min, max]).
 */
export function delta(a: number, b: number, lo: number, hi: number, [min, max]: number[]): number {
  return a >= lo && b <= hi ? 0 : Math.min(max, Math.max(min, (a + b - lo - hi) / 2));
}

/**
 * Whether the user can scroll the viewport along x and y, and whether body's
 * overflow is the viewport's: the root's is, or body's when the root's is
 * `visible` (it propagates, CSS Overflow 3 section 3.3). `hidden` and `clip`
 * still let a script scroll, and a page we scrolled there could not be
 * scrolled back by its user.
 */
export function rootScrolls(win: Window): [boolean, boolean, boolean] {
  const doc = win.document;
  let s = win.getComputedStyle(doc.documentElement);
  const viaBody = s.overflowX === "visible" && s.overflowY === "visible";
  if (viaBody) s = win.getComputedStyle(doc.body);
  return [!LOCKED.test(s.overflowX), !LOCKED.test(s.overflowY), viaBody];
}

/**
 * Brings `el` into view, centred like scrollIntoView, by scrolling only its
 * real scroll containers (innermost first) and the viewport only where its
 * user could scroll it too. scrollIntoView scrolls every ancestor, the root
 * included even under `html { overflow: hidden }`, and left mobile pages
 * scrolled for good. Nothing moves for an element already in view.
 */
export function reveal(el: Element, smooth: boolean): void {
  const doc = el.ownerDocument;
  const win = doc.defaultView!;
  const r = el.getBoundingClientRect();
  // The target's left, top, right, bottom, moved along by each scroll below.
  const t = [r.left, r.top, r.right, r.bottom];
  const [rootX, rootY, viaBody] = rootScrolls(win);
  for (let n = parentOf(el); ; n = parentOf(n!)) {
    // Where body's overflow is the viewport's, body is no container of its own.
    if (n === doc.body && viaBody) continue;
    const root = !n || n === doc.documentElement;
    // The viewport scrolls as the scrolling element, whose client box is the viewport's.
    const box = root ? doc.scrollingElement ?? doc.documentElement : n!;
    const s = win.getComputedStyle(box);
    const c = root ? { left: 0, top: 0 } : box.getBoundingClientRect();
    // Rectangles are in viewport pixels; a box's scroll and client sizes are in its own,
    // which a page's CSS `zoom` scales: everything here is in viewport pixels.
    const z = (box as { currentCSSZoom?: number }).currentCSSZoom || 1;
    const lo = [c.left + box.clientLeft * z, c.top + box.clientTop * z];
    const size = [box.clientWidth * z, box.clientHeight * z];
    const can = root ? [rootX, rootY] : [SCROLLS.test(s.overflowX), SCROLLS.test(s.overflowY)];
    const at = [box.scrollLeft * z, box.scrollTop * z];
    const range = [box.scrollWidth, box.scrollHeight].map((full, i) => (can[i] ? full * z - size[i] : 0));
    const d = [0, 1].map((i) => {
      // scrollLeft runs from -range to 0 in a right-to-left box.
      const rtl = i || s.direction !== "rtl" ? 0 : range[0];
      const v = delta(t[i], t[i + 2], lo[i], lo[i] + size[i], range[i] > 0 ? [-at[i] - rtl, range[i] - rtl - at[i]] : [0, 0]);
      t[i] -= v;
      t[i + 2] -= v;
      return v;
    });
    if (d[0] || d[1]) box.scrollBy({ left: d[0] / z, top: d[1] / z, behavior: smooth ? "smooth" : "auto" });
    if (root) return;
  }
}
