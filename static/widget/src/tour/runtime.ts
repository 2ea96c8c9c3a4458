import { h } from "../h";
import { helpful } from "../helpful";
import { setLocale } from "../locale";
import { pageUrl } from "../page";
import { adoptStyles } from "../styles";
import { layer as raise, unzoom } from "../toplayer";
import type { Tour, TourStep } from "../types";
import type { EndState, TourHost, TourRuntime } from "./contract";
import { modalAround } from "./dialog";
import { catchUp, initialState, interactive, keyIntent, onPage, reachedUrl, reduce, visibleButtons, type TourAction, type TourState } from "./engine";
import { anchor } from "./position";
import { reveal } from "./scroll";
import { createSpotlight } from "./spotlight";
import { TOUR_CSS } from "./styles";
import { waitForTarget } from "./target";
import { renderStep, type ButtonName } from "./view";

/**
 * Runs one tour at a time: shows the current step (waiting for its target,
 * anchoring it, dimming around it), moves on by button, key, click, input,
 * route or event, and tells the host what the server must know.
 *
 * Layering: the overlay and the step are manual popovers (../toplayer.ts),
 * in the browser's top layer above sticky headers, transformed ancestors and
 * host dialogs opened before them. A host's modal dialog makes everything
 * outside it inert, so for a target inside one the host element moves into
 * that dialog while the step shows, and back under body when it closes.
 */
export function createTourRuntime(host: TourHost): TourRuntime {
  const win = host.win;
  const doc = win.document;
  const prefix = `guide-tour-${Math.random().toString(36).slice(2, 8)}`;
  const reducedMotion = (): boolean => !!win.matchMedia?.("(prefers-reduced-motion: reduce)").matches;
  const spotlight = createSpotlight(doc);

  let hostEl: HTMLDivElement | null = null;
  let overlay: HTMLElement | null = null;
  let stepEl: HTMLElement | null = null;
  let tour: Tour | null = null;
  let state: TourState = { index_: 0, dir_: 1, status_: "completed" };
  let sent: string | null = null;
  // The step last counted as shown (`$step_shown`): a step drawn again (its dialog closed, a route change) is not shown again.
  let viewed: string | null = null;
  let target: HTMLElement | null = null;
  let shown = false;
  let waiting = false;
  let returnTo: HTMLElement | null = null;
  let stepTeardown: Array<() => void> = [];
  // The end's "Was this helpful?" box, kept while the step draws again (a comment half typed, the thanks).
  let vote: { key_: string; el_: HTMLElement } | null = null;

  const step = (): TourStep | null => (tour && state.status_ === "running" ? tour.steps[state.index_] : null);
  const url = (): string => pageUrl(win.location);

  function mount(): void {
    if (hostEl) return;
    hostEl = h(doc, "div", { id: "guide-tour-root", "data-guide-widget": "" });
    const root = hostEl.attachShadow({ mode: "open" });
    adoptStyles(root, TOUR_CSS);
    overlay = h(doc, "div", { class: "overlay", "data-testid": "tour-overlay", hidden: true });
    overlay.append(spotlight.el_);
    stepEl = h(doc, "div", {
      class: "step",
      role: "dialog",
      "aria-modal": "false",
      "aria-labelledby": `${prefix}-title`,
      tabindex: "-1",
      "data-testid": "tour-step",
      hidden: true,
    });
    root.append(overlay, stepEl);
    doc.body.appendChild(hostEl);
    win.addEventListener("keydown", onKey, true);
    win.addEventListener("resize", reposition);
  }

  function hideUi(): void {
    stepTeardown.splice(0).forEach((fn) => fn());
    target = null;
    shown = waiting = false;
    if (stepEl && overlay) {
      raise(stepEl, false);
      raise(overlay, false);
    }
    // Out of a host dialog (see display): ours only while a step shows in it.
    if (hostEl && hostEl.parentNode !== doc.body) doc.body.append(hostEl);
  }

  function reposition(): void {
    const s = step();
    if (!shown || !s) return;
    // The host dialog we were in was removed from the page (no close event): look again.
    if (!hostEl!.isConnected) return show();
    spotlight.update_(target ? target.getBoundingClientRect() : null, !interactive(s));
  }

  function dispatch(action: TourAction): void {
    if (!tour) return;
    state = reduce(tour.steps, state, action);
    if (state.status_ === "running") show();
    else end(state.status_ as EndState, true);
  }

  function end(status: EndState | null, tell: boolean): void {
    const t = tour;
    hideUi();
    tour = null;
    sent = null;
    if (t && status && tell) {
      host.state(t.key, status);
      host.emit("tour:end", { guide: t.key, state: status });
    }
    if (returnTo?.isConnected) returnTo.focus({ preventScroll: true });
    returnTo = null;
  }

  /** (Re)evaluates the current step against the page: wait, skip, move on, or display. */
  function show(): void {
    hideUi();
    const s = step();
    if (!s || !tour) return;
    const here = url();
    // Arriving where the step points moves on; not when the user came back to it.
    if (state.dir_ === 1 && reachedUrl(s, here)) return dispatch({ type: "next" });
    if (!onPage(s, here)) {
      const ahead = catchUp(tour.steps, state.index_, here);
      // Otherwise the tour waits for its page.
      return ahead === null ? undefined : dispatch({ type: "goto", step: tour.steps[ahead].id });
    }
    if (!s.target) return display(s, null);
    waiting = true;
    const key = tour.key;
    const cancel = waitForTarget(doc, s.target, s.wait_ms ?? 5000, (el) => {
      waiting = false;
      if (el) return display(s, el);
      // Once per step shown, so authors can list broken selectors (GET /api/v1/guides/health).
      host.track("$target_missing", { guide: key, step: s.id, selector: s.target });
      if (s.on_missing === "center") display(s, null);
      else dispatch({ type: "missing" });
    });
    stepTeardown.push(cancel);
  }

  function buttons(s: TourStep): string[] {
    const prev = tour!.steps[state.index_ - 1];
    // Back onto a step of another page would leave the user with nothing shown.
    return visibleButtons(s, state.index_).filter((b) => b !== "back" || (prev && onPage(prev, url())));
  }

  function display(s: TourStep, el: HTMLElement | null): void {
    if (!tour) return;
    mount();
    const t = tour;
    const box = stepEl!;
    const names = buttons(s);
    const asks = s.helpful && state.index_ === t.steps.length - 1 && host.helpful;
    if (asks && vote?.key_ !== t.key + s.id) vote = { key_: t.key + s.id, el_: helpful(doc, h, `${prefix}-v`, host.strings(), (yes, c) => host.helpful!(t.key, s.id, yes, c)) };
    box.replaceChildren(
      ...renderStep(doc, { prefix_: prefix, guide_: t.key, step_: s, index_: state.index_, total_: t.steps.length, buttons_: names, t_: host.strings(), stuck_: !!(s.help && host.help), vote_: asks ? vote!.el_ : null }, press),
    );
    if (s.body_html) box.setAttribute("aria-describedby", `${prefix}-body`);
    else box.removeAttribute("aria-describedby");
    box.setAttribute("data-guide", t.key);
    box.setAttribute("data-step", s.id);
    box.classList.toggle("centered", !el);
    box.classList.remove("docked");
    box.style.removeProperty("left");
    box.style.removeProperty("top");
    for (const [k, v] of Object.entries(host.vars())) hostEl!.style.setProperty(k, v);
    setLocale(hostEl!, host.locale?.());

    target = el;
    shown = true;
    // A direct child of the dialog, so never inside a form of the host's (Enter must not submit it).
    const dialog = modalAround(el, doc);
    if (dialog) {
      dialog.append(hostEl!);
      // Closed: the target went with it; the step looks again (wait, skip or centre).
      dialog.addEventListener("close", show);
      stepTeardown.push(() => dialog.removeEventListener("close", show));
    }
    unzoom(hostEl!); // where it now is: under body, or in a host dialog
    if (s.spotlight !== false) raise(overlay!, true);
    raise(box, true);
    if (el) {
      reveal(el, !reducedMotion());
      stepTeardown.push(anchor(win, el, box, box.querySelector<HTMLElement>(".arrow")!, s.placement, reposition));
      const type = s.advance_on?.type;
      if (type === "click" || type === "input") {
        const go = (): void => dispatch({ type: "next" });
        el.addEventListener(type, go, { capture: true, passive: true });
        stepTeardown.push(() => el.removeEventListener(type, go, { capture: true }));
      }
    }
    reposition();
    box.focus({ preventScroll: true });
    if (viewed !== s.id) {
      viewed = s.id;
      // Views wait to go together (`true`); the widget counts a guide as shown once per page.
      host.track("$guide_shown", { guide: t.key }, true);
      host.track("$step_shown", { guide: t.key, step: s.id }, true);
    }
    if (sent !== s.id) {
      sent = s.id;
      host.state(t.key, "active", s.id);
    }
    host.emit("tour:step", { guide: t.key, step: s.id, index: state.index_, total: t.steps.length });
  }

  function press(name: ButtonName): void {
    const s = step();
    if (name === "stuck") return void (s?.help && tour && host.help?.(tour.key, s.id, s.help));
    dispatch({ type: name === "later" ? "snooze" : name === "dismiss" ? "dismiss" : name });
  }

  /** Tab order inside the step: the target first when the user is meant to use it, then the buttons. */
  function focusables(): HTMLElement[] {
    const list = Array.from(stepEl?.querySelectorAll<HTMLElement>("button, textarea") ?? []);
    const s = step();
    return target && s && interactive(s) ? [target, ...list] : list;
  }

  function onKey(e: KeyboardEvent): void {
    const s = step();
    if (!shown || !s || !stepEl) return;
    const path = e.composedPath();
    const inStep = path.includes(stepEl);
    const onTarget = !!target && interactive(s) && path.includes(target);
    if (!inStep && !onTarget) return;
    if (e.key === "Tab") return trapTab(e);
    const focus = (path[0] as HTMLElement | undefined)?.tagName ?? "";
    const names = buttons(s);
    // On the target the user is typing or pressing its own keys: only Esc is ours.
    const intent = keyIntent(e.key, onTarget ? "INPUT" : focus, names.includes("next"), names.includes("back"));
    if (!intent) return;
    e.preventDefault();
    e.stopPropagation();
    dispatch({ type: intent });
  }

  function trapTab(e: KeyboardEvent): void {
    const list = focusables();
    if (!list.length) return;
    const active = (stepEl!.getRootNode() as ShadowRoot).activeElement ?? doc.activeElement;
    const at = list.findIndex((el) => el === active || el.contains(doc.activeElement));
    const next = at < 0 ? (e.shiftKey ? list.length - 1 : 0) : (at + (e.shiftKey ? -1 : 1) + list.length) % list.length;
    e.preventDefault();
    list[next].focus();
  }

  return {
    run(next, at) {
      if (tour) end(null, false);
      if (!next?.steps?.length) return;
      // Into open shadow roots (our own checklist's button, a web component's field).
      let active = doc.activeElement as HTMLElement | null;
      while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement as HTMLElement;
      returnTo = active && active !== doc.body && !hostEl?.contains(active) ? active : null;
      tour = next;
      vote = null;
      state = initialState(next.steps, at);
      // Resuming where the server says the user is: nothing new to tell it.
      sent = at && next.steps[state.index_]?.id === at ? at : null;
      viewed = null;
      show();
    },
    current: () => (tour && state.status_ === "running" ? tour.key : null),
    showing: () => shown || waiting,
    route(here) {
      const s = step();
      if (!s) return;
      if (reachedUrl(s, here)) return dispatch({ type: "next" });
      const belongs = onPage(s, here);
      if (belongs !== (shown || waiting) || (shown && target && !target.isConnected)) show();
    },
    event(name) {
      const s = step();
      if (s?.advance_on?.type === "event" && s.advance_on.event === name) dispatch({ type: "next" });
    },
    stop: () => end(null, false),
    destroy() {
      end(null, false);
      win.removeEventListener("keydown", onKey, true);
      win.removeEventListener("resize", reposition);
      hostEl?.remove();
      hostEl = overlay = stepEl = null;
    },
  };
}
