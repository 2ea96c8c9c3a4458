import type { AuthorTools, PreviewInfo } from "./author/contract";
import { authorToken, forgetToken } from "./authoring";
import { pageUrl } from "./page";
import type { AuthorMode, Parts } from "./parts";

/**
 * Preview and pick mode, for authors the admin sent here (docs/AUTHORING.md):
 * the preview badge and the element picker live in dist/author.js, loaded
 * only when there is a token or a preview to show.
 */
export function createAuthorMode(w: Pick<Parts, "win_" | "load_" | "report_" | "session_" | "director_">): AuthorMode {
  const { win_: win } = w;
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
    tools ??= w.load_.author_().then((f) =>
      f({
        win,
        exitPreview() {
          leavePreview();
          w.session_.refresh_(true); // the published guides replace the draft, progress included
        },
        pick: (selector) => w.session_.client_()!.request_("picker:selected", { token: pick, selector, url: pageUrl(win.location) }),
        pickDone() {
          pick = null;
          forgetToken(win, "guide_pick");
          w.director_.evaluate_();
        },
      }),
    );
    tools.then((t) => {
      if (destroyed) return;
      t.preview(info ?? null);
      if (pick) t.pick();
    }, w.report_);
  }

  return {
    init_() {
      preview = authorToken(win, "guide_preview");
      pick = authorToken(win, "guide_pick");
    },
    token_: () => preview,
    draft_: () => draft,
    picking_: () => !!pick,
    seen_: seen,
    destroy_() {
      destroyed = true;
      tools?.then((t) => t.destroy(), () => {});
    },
  };
}
