// Entry of dist/help.js, the lazily loaded help panel: it only hands its
// factory to the main bundle (which loads it when help is first opened).
import { HELP_GLOBAL } from "./contract";
import { createHelpPanel } from "./panel";

(window as unknown as Record<string, unknown>)[HELP_GLOBAL] = createHelpPanel;
