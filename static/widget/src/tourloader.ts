import { GLOBAL, type TourFactory } from "./tour/contract";
import type { GuideError } from "./types";

/**
 * Loads dist/tour.js from the Guide server (same place as guide.js) the first
 * time a tour is about to show, and resolves with its factory. A copy already
 * on the page (another widget instance, a test) is reused.
 */
export function loadTourBundle(win: Window, server: string): Promise<TourFactory> {
  const g = win as unknown as Record<string, unknown>;
  const ready = (): TourFactory | null => (typeof g[GLOBAL] === "function" ? (g[GLOBAL] as TourFactory) : null);
  const have = ready();
  if (have) return Promise.resolve(have);
  return new Promise((resolve, reject) => {
    const doc = win.document;
    const script = doc.createElement("script");
    script.async = true;
    script.src = `${server}/widget/tour.js`;
    const fail = (): void =>
      reject({ code: "tour_unavailable", message: `Could not load ${script.src}; is the widget built and served?` } satisfies GuideError);
    script.onload = () => {
      const factory = ready();
      if (factory) resolve(factory);
      else fail();
    };
    script.onerror = fail;
    (doc.head || doc.documentElement).appendChild(script);
  });
}
