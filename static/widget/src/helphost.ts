import { safeHref } from "./checklist";
import { usageError } from "./errors";
import { checklists, primaryChecklist } from "./guides";
import { h } from "./h";
import type { ArticleSummary, HelpAt, HelpHost, HelpPanel } from "./help/contract";
import { pageUrl } from "./page";
import type { Help, Parts } from "./parts";
import { adoptStyles } from "./styles";
import type { GuideError } from "./types";

const isHttp = (url: string): boolean => /^https?:\/\//i.test(url);
/** A search is recorded (`$help_search`) once its results have stood this long: the final query, not each keystroke's. */
export const SEARCH_SETTLE_MS = 1500;

/** The help host: the lazily loaded help panel (dist/help.js) and what it needs from the widget. */
export function createHelp(w: Pick<Parts, "win_" | "prefix_" | "store_" | "ui_" | "report_" | "load_" | "session_">): Help {
  const { win_: win, store_: store, ui_: ui, session_: session, report_: report } = w;
  let panel: Promise<HelpPanel> | null = null;
  let pending: HelpAt | null = null;
  // True while the panel shows: opening it again then is not another "help opened".
  let shown = false;
  let destroyed = false;
  let query = "";
  let searched: ReturnType<typeof setTimeout> | undefined;

  /** Where help is about when the user did not say: the primary checklist's first step not done. */
  function where(): { guide?: string; step?: string } {
    const guide = primaryChecklist(checklists(session.data_?.guides), store.state_);
    const step = guide?.steps.find((st) => !store.isDone_(guide.key, st.id));
    return guide ? { guide: guide.key, step: step?.id } : {};
  }

  const host: HelpHost = {
    doc: win.document,
    h,
    prefix: w.prefix_,
    root: ui.root_,
    style: (css) => void adoptStyles(ui.root_(), css),
    t: session.strings_,
    where,
    label: (guide, step) => session.data_?.guides.find((g) => g.key === guide)?.steps.find((st) => st.id === step)?.title,
    list(q, at) {
      const params = new URLSearchParams({ q, url: pageUrl(win.location) });
      if (at.guide) params.set("guide", at.guide);
      if (at.step) params.set("step", at.step);
      clearTimeout(searched);
      query = q;
      const found = session.client_()!.get_<{ articles: ArticleSummary[] }>(`/api/v1/widget/help?${params}`);
      found.then(({ articles = [] }) => {
        if (q && q === query) searched = setTimeout(() => session.track_("$help_search", { query: q, results: articles.length }, true), SEARCH_SETTLE_MS);
      }, () => {});
      return found;
    },
    article(key, at) {
      session.track_("$article_view", { article: key, guide: at?.guide ?? null, step: at?.step ?? null }, true);
      return session.client_()!.get_(`/api/v1/widget/help/${encodeURIComponent(key)}`);
    },
    helpful: (article, helpful, comment) => void session.send_("feedback:helpful", { article, helpful, ...(comment ? { comment } : {}) }),
    escalate: (e) => session.send_("help:escalate", { ...e, url: pageUrl(win.location) }),
    safeUrl: (url) => (safeHref(url, "https://x.invalid/") && isHttp(String(url)) ? String(url) : null),
    closed: (returnFocus) => {
      shown = false;
      if (returnFocus) ui.focusHelp_();
    },
  };

  function openSupport(): void {
    const url = session.data_?.workspace?.support_url?.replace(/\{(reference|summary)\}/g, "");
    if (!url || !isHttp(url)) throw usageError("help_unavailable", "Help is not enabled for this workspace.");
    win.open(url, "_blank", "noopener");
  }

  function open(at?: HelpAt): void {
    const data = session.data_;
    if (!data) {
      pending = at ?? {};
      return;
    }
    const ws = data.workspace;
    if (!ws?.help_enabled) return openSupport();
    // Where the user is (the panel suggests articles for the same place): scenarios react to help opened twice on one step.
    const on = at?.guide ? at : { ...at, ...where() };
    // `article` marks a step's "Stuck?" (docs/PROTOCOL.md): only it opens at an article with its guide; a message's link does not.
    if (!shown) session.track_("$help_open", { guide: on.guide ?? null, step: on.step ?? null, article: at?.guide ? at.article ?? null : null });
    shown = true;
    ui.close_(false);
    if (!panel) {
      panel = w.load_.help_().then((f) => f(host));
      panel.catch(() => (panel = null)); // offline: the next click tries again
    }
    panel.then(
      (p) => !destroyed && p.open(at ?? {}),
      (err) => {
        report(err as GuideError);
        if (ws.support_url) openSupport();
      },
    );
  }

  return {
    open_: open,
    close_: () => void panel?.then((p) => p.close(false)),
    replay_() {
      const at = pending;
      pending = null;
      if (at) open(at);
    },
    destroy_() {
      destroyed = true;
      panel?.then((p) => p.destroy(), () => {});
    },
  };
}
