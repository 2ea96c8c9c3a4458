import { vi } from "vitest";
import { createApi, type GuideApi } from "../src/api";
import type { IoFactory, SocketLike } from "../src/transport";
import type { QueueStore } from "../src/storage";
import type { BootstrapResponse, Guide, TourStep } from "../src/types";
import { createAuthorTools } from "../src/author/tools";
import { createHelpPanel } from "../src/help/panel";
import { createSurveyCard } from "../src/survey/card";
import { renderChecklist } from "../src/panel/render";
import { createTourRuntime } from "../src/tour/runtime";
import type { WidgetDeps } from "../src/parts";
import { EN } from "./strings";

type Handler = (...args: any[]) => void;

/**
 * What a test hands a factory in place of its parts: any subset, checked
 * (`satisfies Fake<Parts>`) so a fake cannot name a member that does not exist,
 * as one renamed to the `name_` convention (parts.ts).
 */
export type Fake<T> = {
  [K in keyof T]?: unknown extends T[K]
    ? T[K]
    : T[K] extends Window
      ? T[K]
      : T[K] extends (...args: never[]) => unknown
        ? (...args: any[]) => any
        : Fake<T[K]>;
};

/** Stands in for a socket.io-client Socket; tests drive the server side by hand. */
export class FakeSocket implements SocketLike {
  connected_ = false;
  active_ = true;
  connects = 0;
  disconnects = 0;
  emitted: Array<{ event: string; data: any; ack: (ack: unknown) => void }> = [];
  private handlers = new Map<string, Handler[]>();

  constructor(readonly uri: string, readonly opts: Record<string, any>) {}

  on_(event: string, fn: Handler): this {
    this.handlers.set(event, [...(this.handlers.get(event) ?? []), fn]);
    return this;
  }
  /** Every `envelopes` emit (several envelopes in one), as sent; their envelopes are also in `emitted`. */
  batches: Array<{ envelopes: Array<{ type: string; data: any }>; ack: (ack: unknown) => void }> = [];
  emit_(event: string, data: any, ack: (ack: unknown) => void): this {
    if (event !== "envelopes") {
      this.emitted.push({ event, data, ack });
      return this;
    }
    // A batch: each envelope shows as if emitted alone; their acks, once all given, answer the batch.
    this.batches.push({ ...data, ack });
    const results: unknown[] = [];
    let left = data.envelopes.length;
    data.envelopes.forEach((e: { type: string; data: any }, n: number) =>
      this.emitted.push({ event: e.type, data: e.data, ack: (a) => void ((results[n] = a), --left || ack({ ok: true, results })) }),
    );
    return this;
  }
  connect_(): this {
    this.connects++;
    this.active_ = true;
    return this;
  }
  disconnect_(): this {
    this.disconnects++;
    const was = this.connected_;
    this.connected_ = false;
    this.active_ = false;
    if (was) this.fire("disconnect", "io client disconnect");
    return this;
  }
  /** Simulates the server side. */
  fire(event: string, ...args: unknown[]): void {
    (this.handlers.get(event) ?? []).forEach((fn) => fn(...args));
  }
  accept(): void {
    this.connected_ = true;
    this.fire("connect");
  }
  token(): unknown {
    let auth: unknown;
    const a = this.opts.auth;
    if (typeof a === "function") a((x: unknown) => (auth = x));
    else auth = a;
    return auth;
  }
}

export function fakeIo(): { io: IoFactory; sockets: FakeSocket[] } {
  const sockets: FakeSocket[] = [];
  const io: IoFactory = (uri, opts) => {
    const s = new FakeSocket(uri, opts);
    sockets.push(s);
    return s;
  };
  return { io, sockets };
}

export function jsonResponse(body: unknown, status = 200): Response {
  return { ok: status >= 200 && status < 300, status, json: async () => body, text: async () => JSON.stringify(body) } as Response;
}

export function bootstrapPayload(overrides: Partial<BootstrapResponse> = {}): BootstrapResponse {
  return {
    user: { id: "user-123", locale: "en" },
    strings: EN,
    workspace: {
      name: "Demo",
      locale: "en",
      theme: { accent: "#4f46e5" },
      support_url: "https://help.example.com/new?ref={reference}",
      help_enabled: true,
    },
    guides: [
      {
        key: "getting-started",
        kind: "checklist",
        version: 3,
        title: "Get set up in 5 minutes",
        priority: 0,
        steps: [
          { id: "welcome", title: "Say hello", body_html: "<p>Hi</p>", complete_when: { type: "manual" } },
          { id: "profile", title: "Fill your profile", body_html: "<p>Who are you?</p>", complete_when: { type: "url", url: "/app/profile" } },
          {
            id: "connect-data",
            title: "Connect your data source",
            body_html: "<p>Sanitized <strong>HTML</strong></p>",
            action: { label: "Open integrations", url: "/app/integrations" },
            complete_when: { type: "event", event: "integration_connected" },
          },
          { id: "read-docs", title: "Read the docs", body_html: "<p>Docs</p>", complete_when: { type: "manual" } },
          { id: "invite", title: "Invite a teammate", complete_when: { type: "manual" } },
        ],
      },
    ],
    progress: {
      "getting-started": { state: "active", step: "connect-data", completed: ["welcome", "profile"], total: 5 },
    },
    socket: { namespace: "/widget", path: "/socket.io", token: "sock-1", expires_in: 3600 },
    ...overrides,
  };
}

export interface Harness {
  api: GuideApi;
  fetch: ReturnType<typeof vi.fn>;
  sockets: FakeSocket[];
  socket(): FakeSocket;
  root(): ShadowRoot;
  $(selector: string): HTMLElement | null;
  $$(selector: string): HTMLElement[];
}

/** A full widget behind the public API, with fetch and socket faked. */
/** `extra`: deps that replace the harness's own (a loader held back, a bundle failing). */
export function harness(payload: BootstrapResponse | (() => BootstrapResponse) = bootstrapPayload(), store?: QueueStore, extra: Partial<WidgetDeps> = {}): Harness {
  const { io, sockets } = fakeIo();
  const fetch = vi.fn(async (url: string, _init?: RequestInit) => {
    if (url.endsWith("/api/v1/widget/bootstrap")) return jsonResponse(typeof payload === "function" ? payload() : payload);
    if (url.endsWith("/api/v1/widget/events")) return jsonResponse({ results: [] });
    return jsonResponse({ error: { code: "not_found", message: "nope" } }, 404);
  });
  // The tour bundle, as if dist/tour.js had loaded.
  const loadTours = vi.fn(async () => createTourRuntime);
  // The help panel, as if dist/help.js had loaded.
  const loadHelp = vi.fn(async () => createHelpPanel);
  const loadAuthor = vi.fn(async () => createAuthorTools);
  const loadSurvey = vi.fn(async () => createSurveyCard);
  // The checklist panel, as if dist/checklist.js had loaded.
  const loadChecklist = vi.fn(async () => renderChecklist);
  const deps: WidgetDeps = { fetch_: fetch as unknown as typeof globalThis.fetch, io_: io, window_: window, loadTours_: loadTours, loadHelp_: loadHelp, loadAuthor_: loadAuthor, loadSurvey_: loadSurvey, loadChecklist_: loadChecklist, store_: store, ...extra };
  const api = createApi("https://guide.test", () => deps);
  const root = (): ShadowRoot => {
    const host = document.querySelector<HTMLElement>("#guide-root");
    if (!host?.shadowRoot) throw new Error("widget not mounted");
    return host.shadowRoot;
  };
  return {
    api,
    fetch,
    sockets,
    socket: () => sockets[sockets.length - 1],
    root,
    $: (s) => root().querySelector<HTMLElement>(s),
    $$: (s) => Array.from(root().querySelectorAll<HTMLElement>(s)),
  };
}

/** Lets the 0 ms bootstrap debounce and the fetch promise chain run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0));
}

export function bootstrapBodies(fetch: ReturnType<typeof vi.fn>): any[] {
  return fetch.mock.calls.filter(([url]) => String(url).endsWith("/bootstrap")).map(([, init]) => JSON.parse(String(init?.body)));
}

/** A tour step with every field the server fills in; `extra` overrides. */
export function tourStep(id: string, extra: Partial<TourStep> = {}): TourStep {
  return {
    id,
    title: `Step ${id}`,
    body_html: `<p>About ${id}</p>`,
    target: `#${id}`,
    placement: "auto",
    advance_on: { type: "next" },
    page: null,
    wait_ms: 5000,
    on_missing: "skip",
    spotlight: true,
    buttons: ["back", "next", "dismiss"],
    ...extra,
  };
}

/** A full widget past init, identify, the bootstrap and the socket's connect. */
export async function booted(payload: BootstrapResponse | (() => BootstrapResponse) = bootstrapPayload()): Promise<Harness> {
  const h = harness(payload);
  h.api.init({ appKey: "demo", server: "https://guide.test" });
  h.api.identify("user-123");
  await settle();
  h.socket().accept();
  await settle();
  return h;
}

/** jsdom lays nothing out; the tour runtime treats elements without boxes as not there yet. */
export function layout(): void {
  vi.spyOn(Element.prototype, "getClientRects").mockImplementation(function (this: Element) {
    return (this.isConnected ? [{}] : []) as unknown as DOMRectList;
  });
}

/** Tour targets `#a`, `#b`, `#c` in the page, laid out. */
export function tourTargets(ids = ["a", "b", "c"]): void {
  layout();
  for (const id of ids) document.body.appendChild(Object.assign(document.createElement("div"), { id }));
}

export const tourRoot = (): ShadowRoot | null => document.querySelector("#guide-tour-root")?.shadowRoot ?? null;

/** The id of the tour step on screen, or null. */
export function shownTourStep(): string | null {
  const el = tourRoot()?.querySelector<HTMLElement>('[data-testid="tour-step"]');
  return el && !el.hidden ? el.dataset.step ?? null : null;
}

/** The demo's dashboard tour (starts on /demo/dashboard) over `steps`, by default `#a`, `#b`, `#c`. */
export function dashboardTour(steps: TourStep[] = [tourStep("a"), tourStep("b"), tourStep("c")]): Guide {
  return {
    key: "dashboard-tour",
    kind: "tour",
    version: 1,
    title: "Tour",
    priority: 5,
    start: { url: "/demo/dashboard" },
    repeat: "once",
    snooze_days: 1,
    steps,
  } as unknown as Guide;
}
