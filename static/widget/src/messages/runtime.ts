import { h } from "../h";
import { setLocale } from "../locale";
import { adoptStyles } from "../styles";
import { layer, unzoom } from "../toplayer";
import { renderBanner, renderPage, type AnnounceActions } from "./announce";
import type { Message, MessageLists, MessagesHost, MessagesRuntime, MessageStep } from "./contract";
import { createSpots } from "./spots";
import { MSG_CSS_ALL } from "./styles";

/**
 * Announcements (banners and modals) and, through spots.ts, hotspots and
 * tooltips. What the user did here (dismissed, clicked) holds for the rest of
 * the page even before the server's next bootstrap agrees.
 *
 * Layering: an overlay banner is a manual popover (../toplayer.ts), fixed,
 * so the host page's layout never moves. An inline banner is what the author
 * asked for: its own host element, the first child of <body> (`top`) or the
 * last (`bottom`), in the page's flow. A modal is a <dialog> opened with
 * showModal(): top layer, the page inert behind it (the focus trap), Escape
 * closes it (its `cancel`), and focus goes back where it was. While a tour
 * is on screen (or starting), a banner not yet shown, an unread modal and the
 * beacons wait, and show when it ends (`wake`); Guide.start shows them at once.
 */
export function createMessages(host: MessagesHost): MessagesRuntime {
  const win = host.win;
  const doc = win.document;
  const prefix = `guide-msg-${Math.random().toString(36).slice(2, 8)}`;
  const gone = new Set<string>();
  const seen = new Set<string>();
  const banners = new Map<string, () => void>();
  const hosts: HTMLElement[] = [];
  let main: ShadowRoot | null = null;
  let modal: HTMLDialogElement | null = null;
  let lists: MessageLists = { announcements: [], hotspots: [], tooltips: [] };

  /** A host element of ours with its shadow root, themed, in the user's locale. */
  function shadow(el: HTMLElement): ShadowRoot {
    const root = el.attachShadow({ mode: "open" });
    adoptStyles(root, MSG_CSS_ALL);
    for (const [k, v] of Object.entries(host.vars())) el.style.setProperty(k, v);
    setLocale(el, host.locale());
    hosts.push(el);
    return root;
  }

  function root(): ShadowRoot {
    if (main) return main;
    const el = h(doc, "div", { id: "guide-messages-root", "data-guide-widget": "" });
    main = shadow(el);
    doc.body.appendChild(el);
    unzoom(el);
    return main;
  }

  const spots = createSpots(host, root, gone);

  function markSeen(a: Message): void {
    if (!a.unread || seen.has(a.key)) return;
    seen.add(a.key);
    host.track("$announcement_seen", { announcement: a.key });
  }

  /** What the user did ends the announcement here: it goes, and the server hears of it. */
  function actions(a: Message, close: () => void): AnnounceActions {
    return {
      cta(step: MessageStep) {
        gone.add(a.key);
        host.track("$announcement_clicked", { announcement: a.key, step: step.id });
        close();
        const cta = step.cta!;
        if (cta.guide) host.start(cta.guide);
        else if (cta.help) host.help(typeof cta.help === "string" ? cta.help : undefined);
      },
      dismiss() {
        gone.add(a.key);
        host.track("$announcement_dismissed", { announcement: a.key });
        close();
      },
    };
  }

  function showBanner(a: Message): void {
    const inline = a.mode === "inline";
    let holder: HTMLElement | null = null;
    const close = (): void => {
      banners.get(a.key)?.();
    };
    const el = renderBanner(doc, host, a, host.strings(), actions(a, close));
    if (inline) {
      holder = h(doc, "div", { "data-guide-widget": "", "data-inline": "" });
      shadow(holder).append(el);
      // At the top, after the page's skip links ("Skip to content" stays the first stop).
      let at = doc.body.firstElementChild;
      while (at && a.position !== "bottom" && at.matches('a[href^="#"]')) at = at.nextElementSibling;
      doc.body.insertBefore(holder, a.position === "bottom" ? null : at);
    } else {
      root().append(el);
      layer(el, true);
    }
    banners.set(a.key, () => {
      banners.delete(a.key);
      el.remove();
      holder?.remove();
    });
    markSeen(a);
  }

  function showModal(a: Message): void {
    if (modal) return;
    const back = doc.activeElement as HTMLElement | null;
    const d = (modal = h(doc, "dialog", { class: "modal", "aria-labelledby": `${prefix}-title`, "aria-describedby": `${prefix}-body`, "data-testid": "announcement-modal", "data-key": a.key }));
    const close = (): void => {
      if (modal !== d) return;
      modal = null;
      if (d.open) d.close();
      d.remove();
      if (back?.isConnected) back.focus({ preventScroll: true });
    };
    const on = actions(a, close);
    const go = (index: number): void => {
      d.replaceChildren(...renderPage(doc, host, prefix, a, index, host.strings(), { ...on, go }));
      d.querySelector<HTMLElement>("h2")?.focus();
    };
    // Escape: the dialog's own cancel, made a dismissal (and kept from the host page's handlers).
    d.addEventListener("cancel", (e) => {
      e.preventDefault();
      on.dismiss();
    });
    d.addEventListener("keydown", (e) => {
      if (e.key === "Escape") e.stopPropagation();
      if (e.key !== "Tab") return;
      // The page behind is inert, but Tab past the last button would leave for the browser's UI: wrap.
      const stops = [...d.querySelectorAll<HTMLElement>("button, a[href]")];
      const edge = stops[e.shiftKey ? 0 : stops.length - 1];
      const at = (d.getRootNode() as ShadowRoot).activeElement;
      if (at === edge || (e.shiftKey && !stops.includes(at as HTMLElement))) {
        e.preventDefault();
        stops[e.shiftKey ? stops.length - 1 : 0]?.focus();
      }
    });
    root().append(d);
    try {
      d.showModal();
    } catch {
      layer(d, true); // an engine without <dialog>: the fixed fallback
    }
    go(0);
    markSeen(a);
  }

  function render(): void {
    const due = lists.announcements.filter((a) => !gone.has(a.key) && a.state !== "completed" && a.steps?.length);
    const wanted = new Map<string, Message>();
    for (const a of due) {
      const at = a.position === "bottom" ? "bottom" : "top";
      if (a.style === "banner" && ![...wanted.values()].some((b) => (b.position === "bottom" ? "bottom" : "top") === at)) wanted.set(a.key, a);
    }
    for (const [key, remove] of banners) if (!wanted.has(key)) remove();
    // A running tour is not interrupted: a new banner and an unread modal wait for wake(), when it ends.
    if (host.busy?.()) return;
    for (const a of wanted.values()) if (!banners.has(a.key)) showBanner(a);
    const next = due.find((a) => a.style === "modal" && a.unread && !seen.has(a.key));
    if (next) showModal(next);
  }

  return {
    update(next) {
      lists = { announcements: next.announcements ?? [], hotspots: next.hotspots ?? [], tooltips: next.tooltips ?? [] };
      render();
      spots.update(lists.hotspots, lists.tooltips);
    },
    route() {
      render(); // a tour that waits for another page holds nothing back here
      spots.update(lists.hotspots, lists.tooltips);
    },
    wake() {
      render();
      spots.wake();
    },
    start(key) {
      const a = lists.announcements.find((m) => m.key === key);
      if (!a) return spots.open(key);
      gone.delete(key);
      if (a.style === "modal") showModal(a);
      else if (!banners.has(key)) showBanner(a);
      return true;
    },
    destroy() {
      spots.destroy();
      for (const remove of [...banners.values()]) remove();
      modal?.remove();
      modal = null;
      hosts.splice(0).forEach((el) => el.remove());
      main = null;
    },
  };
}
