import { afterEach, describe, expect, it, vi } from "vitest";
import type { Message, MessagesHost, MessagesRuntime } from "../src/messages/contract";
import { createMessages as createRuntime } from "../src/messages/runtime";
import { createMessages } from "../src/msghost";
import type { Parts } from "../src/parts";
import { mergeStrings } from "../src/i18n";
import type { BootstrapResponse } from "../src/types";
import { bootstrapPayload, type Fake, settle } from "./helpers";
import { EN } from "./strings";

const banner = (extra: Partial<Message> = {}): Message => ({
  key: "news", kind: "announcement", title: "News", style: "banner", position: "top", mode: "overlay", unread: true, state: "not_started",
  steps: [{ id: "main", title: "Reports can be scheduled", body_html: "<p>Every <strong>Monday</strong>.</p>", cta: { label: "Try it", guide: "reports-tour" } }],
  ...extra,
});

const modal = (): Message => ({
  ...banner({ key: "editor", style: "modal", position: null, mode: null }),
  steps: [
    { id: "one", title: "A new editor", body_html: "<p>Still here.</p>" },
    { id: "two", title: "Try it", body_html: "", cta: { label: "Open", help: "editor" } },
  ],
});

function runtime(): { host: MessagesHost & Record<string, ReturnType<typeof vi.fn>>; rt: MessagesRuntime } {
  const host = {
    win: window, strings: () => mergeStrings(EN), locale: () => "en", vars: () => ({}),
    track: vi.fn(), start: vi.fn(), help: vi.fn(), safeUrl: (u: unknown) => String(u), targeting: vi.fn(() => new Promise(() => {})),
  };
  return { host: host as never, rt: createRuntime(host as unknown as MessagesHost) };
}

const shadow = (): ShadowRoot => document.querySelector("#guide-messages-root")!.shadowRoot!;

describe("messages runtime", () => {
  let rt: MessagesRuntime | null = null;
  afterEach(() => {
    rt?.destroy();
    document.body.replaceChildren();
  });

  it("shows an overlay banner, reports it seen once, and a dismissal ends it here", () => {
    const made = runtime();
    rt = made.rt;
    rt.update({ announcements: [banner()], hotspots: [], tooltips: [] });
    rt.update({ announcements: [banner()], hotspots: [], tooltips: [] });
    const el = shadow().querySelector<HTMLElement>('[data-testid="announcement-banner"]')!;
    expect(el.getAttribute("role")).toBe("region");
    expect(el.querySelector("strong")!.textContent).toBe("Monday");
    expect(made.host.track).toHaveBeenCalledTimes(1);
    expect(made.host.track).toHaveBeenCalledWith("$announcement_seen", { announcement: "news" });
    el.querySelector<HTMLButtonElement>('[data-testid="announcement-dismiss"]')!.click();
    expect(made.host.track).toHaveBeenLastCalledWith("$announcement_dismissed", { announcement: "news" });
    expect(shadow().querySelector('[data-testid="announcement-banner"]')).toBeNull();
    rt.update({ announcements: [banner()], hotspots: [], tooltips: [] }); // a bootstrap that has not heard yet
    expect(shadow().querySelector('[data-testid="announcement-banner"]')).toBeNull();
  });

  it("inserts an inline top banner into the page's flow, after its skip link", () => {
    document.body.innerHTML = '<a href="#main">Skip</a><main id="main">App</main>';
    rt = runtime().rt;
    rt.update({ announcements: [banner({ mode: "inline" })], hotspots: [], tooltips: [] });
    const holder = document.body.children[1] as HTMLElement;
    expect(holder.hasAttribute("data-inline")).toBe(true);
    expect(holder.shadowRoot!.querySelector(".banner.inline")).not.toBeNull();
  });

  it("a cta is recorded as a click, then starts the guide it names", () => {
    const made = runtime();
    rt = made.rt;
    rt.update({ announcements: [banner()], hotspots: [], tooltips: [] });
    shadow().querySelector<HTMLButtonElement>('[data-testid="announcement-cta"]')!.click();
    expect(made.host.track).toHaveBeenLastCalledWith("$announcement_clicked", { announcement: "news", step: "main" });
    expect(made.host.start).toHaveBeenCalledWith("reports-tour");
  });

  it("pages through a modal and its last page's cta opens the help article", () => {
    const made = runtime();
    rt = made.rt;
    rt.update({ announcements: [modal()], hotspots: [], tooltips: [] });
    const d = shadow().querySelector<HTMLDialogElement>('[data-testid="announcement-modal"]')!;
    expect(d.querySelector("h2")!.textContent).toBe("A new editor");
    d.querySelector<HTMLButtonElement>('[data-testid="announcement-next"]')!.click();
    expect(d.querySelector("h2")!.textContent).toBe("Try it");
    d.querySelector<HTMLButtonElement>('[data-testid="announcement-cta"]')!.click();
    expect(made.host.help).toHaveBeenCalledWith("editor");
    expect(shadow().querySelector('[data-testid="announcement-modal"]')).toBeNull();
  });

  it("holds a new banner and an unread modal back while a tour is on screen, and shows them on wake", () => {
    const made = runtime();
    let touring = true;
    (made.host as MessagesHost).busy = () => touring;
    rt = made.rt;
    rt.update({ announcements: [modal(), banner()], hotspots: [], tooltips: [] });
    expect(document.querySelector("#guide-messages-root")).toBeNull(); // no modal, no banner
    rt.wake!();
    expect(document.querySelector("#guide-messages-root")).toBeNull(); // still touring
    expect(made.host.track).not.toHaveBeenCalled(); // nothing seen: the badge still counts both
    touring = false;
    rt.wake!();
    expect(shadow().querySelector('[data-testid="announcement-modal"]')).not.toBeNull();
    expect(shadow().querySelector('[data-testid="announcement-banner"]')).not.toBeNull();
    expect(vi.mocked(made.host.track).mock.calls.filter(([n]) => n === "$announcement_seen")).toEqual([
      ["$announcement_seen", { announcement: "news" }],
      ["$announcement_seen", { announcement: "editor" }],
    ]);
  });

  it("a banner already shown stays when a tour starts, and Guide.start shows one at once over a tour", () => {
    const made = runtime();
    let touring = false;
    (made.host as MessagesHost).busy = () => touring;
    rt = made.rt;
    rt.update({ announcements: [banner()], hotspots: [], tooltips: [] });
    touring = true;
    rt.update({ announcements: [banner(), banner({ key: "later", position: "bottom" })], hotspots: [], tooltips: [] });
    expect([...shadow().querySelectorAll('[data-testid="announcement-banner"]')]).toHaveLength(1);
    expect(rt.start("later")).toBe(true);
    expect([...shadow().querySelectorAll('[data-testid="announcement-banner"]')]).toHaveLength(2);
  });
});

function host(payload: BootstrapResponse) {
  const rt = { update: vi.fn(), route: vi.fn(), start: vi.fn(() => true), destroy: vi.fn() } satisfies MessagesRuntime;
  const made = { host: null as MessagesHost | null };
  const w = {
    win_: window,
    ui_: { badge_: vi.fn() },
    report_: vi.fn(),
    load_: { messages_: vi.fn(async () => (h: MessagesHost) => ((made.host = h), rt)), targeting_: vi.fn() },
    session_: { data_: payload, strings_: vi.fn(), track_: vi.fn() },
    start_: vi.fn(),
    help_: { open_: vi.fn() },
    director_: { busy_: vi.fn(() => false) },
  } satisfies Fake<Parts>;
  return { w, rt, made, messages: createMessages(w as unknown as Parts) };
}

describe("messages host", () => {
  it("loads nothing when bootstrap lists no message, and shows no badge", () => {
    const { w, messages } = host(bootstrapPayload());
    messages.update_();
    expect(w.load_.messages_).not.toHaveBeenCalled();
    expect(w.ui_.badge_).toHaveBeenLastCalledWith(0);
  });

  it("badges the unread announcements until the bundle reports one seen", async () => {
    const payload = bootstrapPayload({ announcements: [banner(), banner({ key: "old", unread: false })], announcements_unread: 1 } as Partial<BootstrapResponse>);
    const { w, rt, made, messages } = host(payload);
    messages.update_();
    expect(w.ui_.badge_).toHaveBeenLastCalledWith(1);
    await settle();
    expect(rt.update).toHaveBeenCalledWith(expect.objectContaining({ announcements: payload.announcements }));
    made.host!.track("$announcement_seen", { announcement: "news" });
    expect(w.ui_.badge_).toHaveBeenLastCalledWith(0);
    expect(w.session_.track_).toHaveBeenCalledWith("$announcement_seen", { announcement: "news" }, undefined);
    made.host!.track("$hotspot_seen", { hotspot: "spot", step: "a" }, true); // a view: batched
    expect(w.session_.track_).toHaveBeenLastCalledWith("$hotspot_seen", { hotspot: "spot", step: "a" }, true);
    expect(messages.start_("news")).toBe(true);
    expect(messages.start_("getting-started")).toBe(false);
  });

  it("Guide.start names a tooltip too: the bundle shows it", async () => {
    const tip: Message = { key: "tip", kind: "tooltip", title: "Export", steps: [{ id: "export", title: "Export", body_html: "", target: "#export" }] };
    const { rt, messages } = host(bootstrapPayload({ tooltips: [tip] } as Partial<BootstrapResponse>));
    messages.update_();
    expect(messages.start_("tip")).toBe(true);
    await settle();
    expect(rt.start).toHaveBeenCalledWith("tip");
  });
});
