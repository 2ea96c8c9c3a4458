import { describe, expect, it, vi } from "vitest";
import type { HelpHost, HelpPanel } from "../src/help/contract";
import { createHelp } from "../src/helphost";
import type { Parts } from "../src/parts";
import { createStore } from "../src/store";
import type { BootstrapResponse } from "../src/types";
import { bootstrapPayload, settle } from "./helpers";

/** The help host over fake parts and a fake panel; `host` is what the panel was given. */
function setup(payload: BootstrapResponse | null = bootstrapPayload()) {
  const panel = { open: vi.fn(), close: vi.fn(), destroy: vi.fn() } satisfies HelpPanel;
  const made = { host: null as HelpHost | null };
  const win = { document, location: window.location, open: vi.fn() } as unknown as Window;
  const w = {
    win,
    prefix: "guide-test",
    store: createStore(payload?.progress ?? {}),
    ui: { root: vi.fn(), close: vi.fn(), focusHelp: vi.fn() },
    report: vi.fn(),
    load: { help: vi.fn(async () => (host: HelpHost) => ((made.host = host), panel)) },
    session: { data: vi.fn(() => payload), strings: vi.fn(), send: vi.fn(), track: vi.fn(), client: vi.fn() },
  };
  return { w, panel, made, help: createHelp(w as unknown as Parts) };
}

describe("createHelp", () => {
  it("opens the panel where the user is, tracking help opened once while it shows", async () => {
    const { w, panel, made, help } = setup();
    help.open();
    help.open();
    await settle();
    expect(w.session.track).toHaveBeenCalledTimes(1);
    // The primary checklist's first step not done.
    expect(w.session.track).toHaveBeenCalledWith("$help_open", { guide: "getting-started", step: "connect-data", article: null });
    expect(w.ui.close).toHaveBeenCalledWith(false);
    expect(panel.open).toHaveBeenCalledWith({});
    expect(w.load.help).toHaveBeenCalledTimes(1);
    made.host!.closed(true);
    expect(w.ui.focusHelp).toHaveBeenCalled();
    help.open({ guide: "getting-started", step: "invite", article: "inviting" });
    expect(w.session.track).toHaveBeenLastCalledWith("$help_open", { guide: "getting-started", step: "invite", article: "inviting" });
  });

  it("keeps a call made before the first bootstrap, and opens it on replay", async () => {
    const { w, panel, help } = setup(null);
    help.open({ article: "faq" });
    expect(w.load.help).not.toHaveBeenCalled();
    w.session.data.mockReturnValue(bootstrapPayload());
    help.replay();
    await settle();
    expect(panel.open).toHaveBeenCalledWith({ article: "faq" });
    help.replay();
    expect(panel.open).toHaveBeenCalledTimes(1);
  });

  it("without help, opens the support URL, or says help is unavailable", () => {
    const payload = bootstrapPayload();
    payload.workspace!.help_enabled = false;
    const { w, help } = setup(payload);
    help.open();
    expect(w.win.open).toHaveBeenCalledWith("https://help.example.com/new?ref=", "_blank", "noopener");
    payload.workspace!.support_url = "javascript:alert(1)";
    expect(() => help.open()).toThrow("Help is not enabled for this workspace.");
  });

  it("reports a panel that cannot load and falls back to the support URL; the next open tries again", async () => {
    const { w, panel, help } = setup();
    w.load.help.mockRejectedValueOnce({ code: "bundle_unavailable", message: "offline" });
    help.open();
    await settle();
    expect(w.report).toHaveBeenCalledWith({ code: "bundle_unavailable", message: "offline" });
    expect(w.win.open).toHaveBeenCalledTimes(1);
    help.open();
    await settle();
    expect(panel.open).toHaveBeenCalled();
    help.destroy();
    await settle();
    expect(panel.destroy).toHaveBeenCalled();
  });

  it("gives the panel http(s) links only, and step titles for its escalation form", async () => {
    const { made, help } = setup();
    help.open();
    await settle();
    expect(made.host!.safeUrl("https://desk.example.com/t/1")).toBe("https://desk.example.com/t/1");
    expect(made.host!.safeUrl("javascript:alert(1)")).toBeNull();
    expect(made.host!.safeUrl("/relative")).toBeNull();
    expect(made.host!.label("getting-started", "invite")).toBe("Invite a teammate");
  });
});
