import { arrow, autoUpdate, computePosition, flip, offset, shift, type Placement } from "@floating-ui/dom";

/** Below this viewport width a step docks at the bottom instead of floating next to its target. */
export const DOCK_BELOW = 520;

const SIDES: Record<string, string> = { top: "bottom", bottom: "top", left: "right", right: "left" };

/**
 * Keeps `floating` next to `reference` through scrolling, resizing and layout
 * changes (autoUpdate), flipping to the other side and shifting along it so
 * it never leaves the viewport; `onMove` runs on every update (the spotlight
 * follows the target with it). `dock`: below DOCK_BELOW wide, a tour step
 * docks at the bottom; a hotspot's beacon and tip (messages.js) must stay by
 * their target. Returns the cleanup function.
 */
export function anchor(
  win: Window,
  reference: Element,
  floating: HTMLElement,
  arrowEl: HTMLElement,
  placement: string,
  onMove: () => void,
  dock = true,
): () => void {
  const auto = !placement || placement === "auto";
  let live = true;
  const update = (): void => {
    onMove();
    const docked = dock && win.innerWidth < DOCK_BELOW;
    floating.classList.toggle("docked", docked);
    if (docked) {
      floating.style.removeProperty("left");
      floating.style.removeProperty("top");
      return;
    }
    void computePosition(reference, floating, {
      strategy: "fixed",
      placement: (auto ? "bottom" : placement) as Placement,
      middleware: [
        offset(12),
        flip({ padding: 8, fallbackAxisSideDirection: auto ? "end" : "none" }),
        // crossAxis too: a target taller than the viewport must not push the step off-screen.
        shift({ padding: 8, crossAxis: true }),
        arrow({ element: arrowEl, padding: 12 }),
      ],
    }).then(({ x, y, placement: side, middlewareData }) => {
      if (!live || floating.classList.contains("docked")) return;
      // CSSOM, not a style attribute: allowed under a strict CSP.
      floating.style.left = `${x}px`;
      floating.style.top = `${y}px`;
      const a = middlewareData.arrow;
      const base = side.split("-")[0];
      arrowEl.style.left = a?.x != null ? `${a.x}px` : "";
      arrowEl.style.top = a?.y != null ? `${a.y}px` : "";
      arrowEl.style.right = arrowEl.style.bottom = "";
      arrowEl.style.setProperty(SIDES[base], "-6px");
      floating.setAttribute("data-placement", side);
    });
  };
  const stop = autoUpdate(reference, floating, update);
  return () => {
    live = false;
    stop();
  };
}
