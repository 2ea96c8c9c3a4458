const NS = "http://www.w3.org/2000/svg";
const PAD = 6;

export interface Spotlight {
  el_: SVGSVGElement;
  /** Dims the viewport around `rect` (or all of it); `block` makes the hole unclickable too. */
  update_(rect: DOMRect | null, block: boolean): void;
}

/**
 * One SVG path with an even-odd hole: the dimmed area catches clicks, the hole
 * lets them through to the target (a transparent "shield" rect over the hole
 * blocks them when the step does not want the target used).
 */
export function createSpotlight(doc: Document): Spotlight {
  const win = doc.defaultView!;
  const el = doc.createElementNS(NS, "svg");
  el.setAttribute("aria-hidden", "true");
  const dim = doc.createElementNS(NS, "path");
  dim.setAttribute("class", "dim");
  const shield = doc.createElementNS(NS, "rect");
  el.append(dim, shield);
  return {
    el_: el,
    update_(rect, block) {
      const w = win.innerWidth;
      const h = win.innerHeight;
      let d = `M0 0H${w}V${h}H0Z`;
      const [x, y, rw, rh] = rect ? [rect.left - PAD, rect.top - PAD, rect.width + 2 * PAD, rect.height + 2 * PAD] : [0, 0, 0, 0];
      if (rect) d += `M${x} ${y}h${rw}v${rh}h${-rw}Z`;
      dim.setAttribute("d", d);
      for (const [k, v] of Object.entries({ x, y, width: rw, height: rh })) shield.setAttribute(k, String(v));
      shield.setAttribute("class", block ? "shield block" : "shield");
    },
  };
}
