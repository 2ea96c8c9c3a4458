// Entry of dist/tour.js, the lazily loaded tour bundle: it only hands its
// factory to the main bundle (which loads it when a tour is about to show).
import { GLOBAL } from "./contract";
import { createTourRuntime } from "./runtime";

(window as unknown as Record<string, unknown>)[GLOBAL] = createTourRuntime;
