import type { GuideError } from "./types";

/**
 * A host page called the public API wrongly: thrown as a plain GuideError, as
 * http.ts and lazy.ts reject, and reported by the API boundary (api.ts) as
 * `error`. Not an Error subclass: the class cost ~50 B gzip of the 30 KB budget.
 */
export const usageError = (code: string, message: string): GuideError => ({ code, message });
