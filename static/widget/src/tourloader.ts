import { loadBundle } from "./lazy";
import { GLOBAL, type TourFactory } from "./tour/contract";

/** dist/tour.js (its content-hashed copy once built: lazy.ts), loaded the first time a tour is about to show. */
export const loadTourBundle = (win: Window, server: string): Promise<TourFactory> => loadBundle<TourFactory>(win, server, "tour.js", GLOBAL);
