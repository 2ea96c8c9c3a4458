import { safeHref } from "./checklist";
import type { MessagesHost, MessagesRuntime } from "./messages/contract";
import type { Messages, Parts } from "./parts";
import { themeVars } from "./theme";
import type { GuideError } from "./types";

/**
 * The messages host: loads dist/messages.js once bootstrap lists an
 * announcement, hotspot or tooltip (nothing is fetched otherwise), and keeps
 * the launcher's unread badge: bootstrap's unread announcements, less those
 * seen on this page since (one held back while a tour shows still counts).
 */
export function createMessages(w: Pick<Parts, "win_" | "ui_" | "report_" | "load_" | "session_" | "start_" | "help_" | "director_">): Messages {
  const { win_: win, session_: session } = w;
  const seen = new Set<string>();
  let runtime: Promise<MessagesRuntime> | null = null;
  let destroyed = false;

  const badge = (): void =>
    w.ui_.badge_((session.data_?.announcements ?? []).filter((a) => a.unread && !seen.has(a.key)).length);

  const host: MessagesHost = {
    win,
    strings: session.strings_,
    locale: () => session.data_?.user?.locale,
    vars: () => themeVars(session.data_?.workspace?.theme),
    track(name, props, view) {
      if (name === "$announcement_seen") seen.add(props.announcement as string);
      badge();
      session.track_(name, props, view);
    },
    start: (key) => void w.start_(key),
    help: (article) => w.help_.open_(article ? { article } : undefined),
    safeUrl: (url) => safeHref(url, win.location.href),
    targeting: () => w.load_.targeting_().then((f) => f()),
    busy: () => w.director_.busy_(),
  };

  const run = (fn: (r: MessagesRuntime) => unknown): void =>
    void runtime?.then((r) => !destroyed && fn(r), (err) => w.report_(err as GuideError));

  return {
    update_() {
      const d = session.data_;
      badge();
      if (!d || !(runtime || d.announcements?.length || d.hotspots?.length || d.tooltips?.length)) return;
      runtime ??= w.load_.messages_().then((f) => f(host));
      run((r) => r.update({ announcements: d.announcements ?? [], hotspots: d.hotspots ?? [], tooltips: d.tooltips ?? [] }));
    },
    route_: (url) => run((r) => r.route(url)),
    // wake?.(): a messages.js cached from an older release lacks it.
    wake_: () => run((r) => r.wake?.()),
    start_(key) {
      const d = session.data_;
      if (![...(d?.announcements ?? []), ...(d?.hotspots ?? []), ...(d?.tooltips ?? [])].some((m) => m.key === key)) return false;
      run((r) => r.start(key));
      return true;
    },
    destroy_() {
      destroyed = true;
      run((r) => r.destroy());
    },
  };
}
