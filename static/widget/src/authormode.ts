import type { AuthorTools, PreviewInfo } from "./author/contract";
import { authorToken, forgetToken } from "./authoring";
import { pageUrl } from "./page";
import type { AuthorMode, Parts } from "./parts";

/**
 * Preview and pick mode, for authors the admin sent here (docs/AUTHORING.md):
 * the preview badge and the element picker live in dist/author.js, loaded
 * only when there is a token or a preview to show.
 */
export function createAuthorMode(w: Pick<Parts, "win" | "load" | "report" | "session" | "director">): AuthorMode {
  const { win } = w;
  let preview: string | null = null;
  let pick: string | null = null;
  let draft: string | null = null;
  let tools: Promise<AuthorTools> | null = null;
  let destroyed = false;

  const leavePreview = (): void => {
    preview = null;
    forgetToken(win, "guide_preview");
  };

  function seen(info: PreviewInfo | undefined): void {
    draft = info?.ok ? info.guide ?? null : null;
    if (info && !info.ok) leavePreview();
    if (!info && !pick && !tools) return;
    tools ??= w.load.author().then((f) =>
      f({
        win,
        exitPreview() {
          leavePreview();
          w.session.refresh(true); // the published guides replace the draft, progress included
        },
        pick: (selector) => w.session.client()!.request("picker:selected", { token: pick, selector, url: pageUrl(win.location) }),
        pickDone() {
          pick = null;
          forgetToken(win, "guide_pick");
          w.director.evaluate();
        },
      }),
    );
    tools.then((t) => {
      if (destroyed) return;
      t.preview(info ?? null);
      if (pick) t.pick();
    }, w.report);
  }

  return {
    init() {
      preview = authorToken(win, "guide_preview");
      pick = authorToken(win, "guide_pick");
    },
    token: () => preview,
    draft: () => draft,
    picking: () => !!pick,
    seen,
    destroy() {
      destroyed = true;
      tools?.then((t) => t.destroy(), () => {});
    },
  };
}
