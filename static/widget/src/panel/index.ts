// Entry of dist/checklist.js, the lazily loaded checklist panel: it only hands
// its renderer to the main bundle (which fetches it after a bootstrap that lists a checklist).
import { CHECKLIST_GLOBAL } from "./contract";
import { renderChecklist } from "./render";

(window as unknown as Record<string, unknown>)[CHECKLIST_GLOBAL] = renderChecklist;
