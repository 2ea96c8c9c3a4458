// Entry of dist/tour.js, the lazily loaded tour bundle: it only hands its
// factory to the main bundle (which loads it when a tour is about to show),
// and lends its targeting to the messages bundle (hotspots, tooltips), so
// @floating-ui/dom (7.5 KB gzip) is loaded once for both.
import { TARGETING_GLOBAL } from "../messages/contract";
import { GLOBAL } from "./contract";
import { anchor } from "./position";
import { createTourRuntime } from "./runtime";
import { waitForTarget } from "./target";

const g = window as unknown as Record<string, unknown>;
g[GLOBAL] = createTourRuntime;
g[TARGETING_GLOBAL] = () => ({ anchor, waitForTarget });
