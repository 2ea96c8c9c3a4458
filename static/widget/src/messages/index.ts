// Entry of dist/messages.js, the lazily loaded announcements, hotspots and
// tooltips: it only hands its factory to the main bundle (which loads it when
// bootstrap lists any of them).
import { MESSAGES_GLOBAL } from "./contract";
import { createMessages } from "./runtime";

(window as unknown as Record<string, unknown>)[MESSAGES_GLOBAL] = createMessages;
