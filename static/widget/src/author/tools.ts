import { h } from "../h";
import { adoptStyles } from "../styles";
import type { AuthorHost, AuthorTools, PreviewInfo } from "./contract";
import { pickable, selectorFor } from "./selector";

// Authors only, in English like the admin it belongs to.
const CSS = `
:host{all:initial;font:13px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#111827}
[hidden]{display:none!important}
.bar{position:fixed;z-index:2147483003;display:flex;gap:10px;align-items:center;padding:8px 12px;border-radius:10px;background:#111827;color:#fff;box-shadow:0 8px 24px rgba(0,0,0,.25)}
.badge{top:12px;left:50%;transform:translateX(-50%)}
.picker{left:16px;bottom:16px;max-width:calc(100vw - 32px)}
button{font:inherit;padding:4px 10px;border:1px solid #fff6;border-radius:6px;background:transparent;color:#fff;cursor:pointer}
button:focus-visible{outline:2px solid #a5b4fc;outline-offset:2px}
code{font:12px ui-monospace,Menlo,monospace;color:#c7d2fe}
.box{position:fixed;z-index:2147483002;pointer-events:none;border:2px solid #4f46e5;border-radius:4px;background:rgba(79,70,229,.12)}
`;

/** The author tools: a preview badge and pick mode, in their own shadow root. */
export function createAuthorTools(host: AuthorHost): AuthorTools {
  const { win } = host;
  const doc = win.document;
  const el = h(doc, "div", { id: "guide-author-root", "data-guide-widget": "" });
  const root = el.attachShadow({ mode: "open" });
  adoptStyles(root, CSS);
  const badge = h(doc, "div", { class: "bar badge", role: "status", "data-testid": "preview-badge", hidden: true });
  const picker = h(doc, "div", { class: "bar picker", role: "status", "data-testid": "picker", hidden: true });
  const box = h(doc, "div", { class: "box", "data-testid": "picker-box", hidden: true });
  root.append(badge, picker, box);
  doc.body.appendChild(el);
  const teardown: Array<() => void> = [];

  /** The element under the pointer, unless it is the page root or part of a Guide widget. */
  function target(e: Event): Element | null {
    if (e.composedPath().some((n) => (n as Element).hasAttribute?.("data-guide-widget"))) return null;
    const t = e.target as Element | null;
    return t && t.nodeType === 1 && t !== doc.documentElement && t !== doc.body ? pickable(t) : null;
  }

  function say(text: string, selector?: string | null, cancel = true): void {
    picker.hidden = false;
    picker.replaceChildren(
      h(doc, "span", { "data-testid": "picker-status" }, text),
      selector ? h(doc, "code", {}, selector) : "",
      cancel ? h(doc, "button", { type: "button", "data-testid": "picker-cancel", onclick: stop }, "Cancel") : "",
    );
  }

  function stop(): void {
    teardown.splice(0).forEach((fn) => fn());
    box.hidden = true;
    picker.hidden = true;
    host.pickDone();
  }

  function choose(t: Element): void {
    const selector = selectorFor(t);
    if (!selector) return say("No selector matches only this element; pick another (or give it an id).");
    say("Sending\u2026", selector);
    void host.pick(selector).then((ack) => {
      if (!ack.ok) return say(`Not sent: ${ack.error.message}`, selector);
      stop();
      say("Sent to the editor", selector, false);
      setTimeout(() => (picker.hidden = true), 4000);
    });
  }

  function listen(target: EventTarget, type: string, fn: (e: Event) => void): void {
    target.addEventListener(type, fn, true);
    teardown.push(() => target.removeEventListener(type, fn, true));
  }

  return {
    preview(info: PreviewInfo | null) {
      badge.hidden = !info;
      if (!info) return;
      badge.replaceChildren(
        h(doc, "span", {}, info.ok ? `Preview of version ${info.version} (${info.guide})` : "Preview expired: click Preview again in the editor."),
        h(doc, "button", { type: "button", "data-testid": "preview-exit", onclick: () => (info.ok ? host.exitPreview() : (badge.hidden = true)) }, info.ok ? "Exit preview" : "Dismiss"),
      );
    },
    pick() {
      if (teardown.length) return;
      say("Pick an element: click it. Esc cancels.");
      listen(win, "mousemove", (e) => {
        const t = target(e);
        box.hidden = !t;
        if (!t) return;
        const r = t.getBoundingClientRect();
        Object.assign(box.style, { left: `${r.left}px`, top: `${r.top}px`, width: `${r.width}px`, height: `${r.height}px` });
      });
      // The page must not react to the pick: no navigation, no button actions, no focus.
      const block = (e: Event): void => {
        if (!target(e)) return;
        e.preventDefault();
        e.stopImmediatePropagation();
      };
      for (const type of ["pointerdown", "mousedown", "pointerup", "mouseup", "dblclick", "auxclick", "submit"]) listen(win, type, block);
      listen(win, "click", (e) => {
        const t = target(e);
        block(e);
        if (t) choose(t);
      });
      listen(doc, "keydown", (e) => {
        if ((e as KeyboardEvent).key !== "Escape") return;
        e.preventDefault();
        e.stopImmediatePropagation();
        stop();
      });
    },
    destroy() {
      teardown.splice(0).forEach((fn) => fn());
      el.remove();
    },
  };
}
