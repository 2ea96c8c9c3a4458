import { describe, expect, it, vi } from "vitest";
import type { HelpHost, HelpPanel } from "../src/help/contract";
import { createHelp } from "../src/helphost";
import type { Parts } from "../src/parts";
import { createStore } from "../src/store";
import type { BootstrapResponse } from "../src/types";
import { bootstrapPayload, type Fake, settle } from "./helpers";

/** The help host over fake parts and a fake panel; `host` is what the panel was given. */
function setup(payload: BootstrapResponse | null = bootstrapPayload()) {
  const panel = { open: vi.fn(), close: vi.fn(), destroy: vi.fn() } satisfies HelpPanel;
  const made = { host: null as HelpHost | null };
  const win = { document, location: window.location, open: vi.fn() } as unknown as Window;
  const w = {
    win_: win,
    prefix_: "guide-test",
    store_: createStore(payload?.progress ?? {}),
    ui_: { root_: vi.fn(), close_: vi.fn(), focusHelp_: vi.fn() },
    report_: vi.fn(),
    load_: { help_: vi.fn(async () => (host: HelpHost) => ((made.host = host), panel)) },
    session_: { data_: payload, strings_: vi.fn(), send_: vi.fn(), track_: vi.fn(), client_: vi.fn() },
  } satisfies Fake<Parts>;
  return { w, panel, made, help: createHelp(w as unknown as Parts) };
}

describe("createHelp", () => {
  it("opens the panel where the user is, tracking help opened once while it shows", async () => {
    const { w, panel, made, help } = setup();
    help.open_();
    help.open_();
    await settle();
    expect(w.session_.track_).toHaveBeenCalledTimes(1);
    // The primary checklist's first step not done.
    expect(w.session_.track_).toHaveBeenCalledWith("$help_open", { guide: "getting-started", step: "connect-data", article: null });
    expect(w.ui_.close_).toHaveBeenCalledWith(false);
    expect(panel.open).toHaveBeenCalledWith({});
    expect(w.load_.help_).toHaveBeenCalledTimes(1);
    made.host!.closed(true);
    expect(w.ui_.focusHelp_).toHaveBeenCalled();
    help.open_({ guide: "getting-started", step: "invite", article: "inviting" });
    expect(w.session_.track_).toHaveBeenLastCalledWith("$help_open", { guide: "getting-started", step: "invite", article: "inviting" });
  });

  it("tracks a message's article link as help opened where the user is, not as a step's Stuck?", async () => {
    const { w, help } = setup();
    help.open_({ article: "faq" });
    await settle();
    expect(w.session_.track_).toHaveBeenCalledWith("$help_open", { guide: "getting-started", step: "connect-data", article: null });
  });

  it("keeps a call made before the first bootstrap, and opens it on replay", async () => {
    const { w, panel, help } = setup(null);
    help.open_({ article: "faq" });
    expect(w.load_.help_).not.toHaveBeenCalled();
    w.session_.data_ = bootstrapPayload();
    help.replay_();
    await settle();
    expect(panel.open).toHaveBeenCalledWith({ article: "faq" });
    help.replay_();
    expect(panel.open).toHaveBeenCalledTimes(1);
  });

  it("without help, opens the support URL, or says help is unavailable", () => {
    const payload = bootstrapPayload();
    payload.workspace!.help_enabled = false;
    const { w, help } = setup(payload);
    help.open_();
    expect(w.win_.open).toHaveBeenCalledWith("https://help.example.com/new?ref=", "_blank", "noopener");
    payload.workspace!.support_url = "javascript:alert(1)";
    expect(() => help.open_()).toThrow("Help is not enabled for this workspace.");
  });

  it("reports a panel that cannot load and falls back to the support URL; the next open tries again", async () => {
    const { w, panel, help } = setup();
    w.load_.help_.mockRejectedValueOnce({ code: "bundle_unavailable", message: "offline" });
    help.open_();
    await settle();
    expect(w.report_).toHaveBeenCalledWith({ code: "bundle_unavailable", message: "offline" });
    expect(w.win_.open).toHaveBeenCalledTimes(1);
    help.open_();
    await settle();
    expect(panel.open).toHaveBeenCalled();
    help.destroy_();
    await settle();
    expect(panel.destroy).toHaveBeenCalled();
  });

  it("gives the panel http(s) links only, and step titles for its escalation form", async () => {
    const { made, help } = setup();
    help.open_();
    await settle();
    expect(made.host!.safeUrl("https://desk.example.com/t/1")).toBe("https://desk.example.com/t/1");
    expect(made.host!.safeUrl("javascript:alert(1)")).toBeNull();
    expect(made.host!.safeUrl("/relative")).toBeNull();
    expect(made.host!.label("getting-started", "invite")).toBe("Invite a teammate");
  });
});
