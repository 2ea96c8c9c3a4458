/** A host page called the public API wrongly; the API boundary (api.ts) reports it as `error`. */
export class GuideUsageError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}
