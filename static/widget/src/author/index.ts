// Entry of dist/author.js: the preview badge and the element picker, loaded
// only when the page was opened from the admin's Preview or Pick element.
import { createAuthorTools } from "./tools";
import { AUTHOR_GLOBAL } from "./contract";

(window as unknown as Record<string, unknown>)[AUTHOR_GLOBAL] = createAuthorTools;
