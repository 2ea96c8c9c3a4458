import type { Ack } from "../types";

/**
 * The seam between the main bundle and dist/author.js: the preview badge and
 * the element picker (docs/AUTHORING.md). Only authors load it, so none of it
 * counts against the end users' widget. Types only.
 */
export interface PreviewInfo {
  ok: boolean;
  guide?: string;
  version?: number;
  author?: string;
  error?: { code: string; message: string };
}

export interface AuthorHost {
  win: Window;
  /** Leaves preview: forgets the token and bootstraps again. */
  exitPreview(): void;
  /** Sends `picker:selected {token, selector, url}` on the socket; resolves with its ack. */
  pick(selector: string): Promise<Ack>;
  /** Pick mode ended (picked, or Esc): the token is forgotten. */
  pickDone(): void;
}

export interface AuthorTools {
  /** Shows (or, with null, hides) the preview badge. */
  preview(info: PreviewInfo | null): void;
  /** Enters pick mode. */
  pick(): void;
  destroy(): void;
}

export type AuthorFactory = (host: AuthorHost) => AuthorTools;

/** Where dist/author.js leaves its factory. */
export const AUTHOR_GLOBAL = "__guideAuthor";
