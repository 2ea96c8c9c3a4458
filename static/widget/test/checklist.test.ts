import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { bootstrapPayload, harness, settle, type Harness } from "./helpers";

let h: Harness;

beforeEach(() => {
  vi.spyOn(console, "error").mockImplementation(() => {});
});
afterEach(() => {
  h?.api.destroy();
  document.body.replaceChildren();
});

async function boot(payload = bootstrapPayload()): Promise<Harness> {
  h = harness(payload);
  h.api.init({ appKey: "demo", server: "https://guide.test" });
  h.api.identify("user-123", { name: "Ada" });
  await settle();
  return h;
}

function openPanel(): void {
  h.$('[data-testid="guide-launcher"]')!.click();
}

describe("checklist rendering", () => {
  it("mounts an open shadow root on a marked host", async () => {
    await boot();
    const host = document.querySelector("#guide-root")!;
    expect(host.hasAttribute("data-guide-widget")).toBe(true);
    expect(host.shadowRoot?.mode).toBe("open");
    const styled = (host.shadowRoot!.adoptedStyleSheets?.length ?? 0) > 0 || !!host.shadowRoot!.querySelector("style");
    expect(styled).toBe(true);
  });

  it("shows the launcher with the primary checklist's progress", async () => {
    await boot();
    const launcher = h.$('[data-testid="guide-launcher"]')!;
    expect(h.$('[data-testid="guide-progress"]')!.textContent).toBe("2/5");
    expect(launcher.textContent).toBe("Onboarding checklist: Get set up in 5 minutes, 2 of 5 steps done2/5");
    expect(launcher.hasAttribute("aria-label")).toBe(false);
    expect(launcher.getAttribute("aria-expanded")).toBe("false");
    expect(launcher.getAttribute("aria-controls")).toBe(h.$('[data-testid="guide-panel"]')!.id);
  });

  it("renders steps with data-done, sanitized body_html and the right buttons", async () => {
    await boot();
    openPanel();
    const panel = h.$('[data-testid="guide-panel"]')!;
    expect(panel.hidden).toBe(false);
    expect(panel.getAttribute("role")).toBe("dialog");
    expect(panel.getAttribute("aria-modal")).toBe("false");
    expect(h.root().getElementById(panel.getAttribute("aria-labelledby")!)!.textContent).toBe("Get set up in 5 minutes");

    const steps = h.$$("li[data-step]");
    expect(steps.map((li) => [li.dataset.step, li.dataset.done])).toEqual([
      ["welcome", "true"],
      ["profile", "true"],
      ["connect-data", "false"],
      ["read-docs", "false"],
      ["invite", "false"],
    ]);
    const connect = h.$('li[data-step="connect-data"]')!;
    expect(connect.querySelector(".step-html")!.innerHTML).toBe("<p>Sanitized <strong>HTML</strong></p>");
    const action = connect.querySelector<HTMLAnchorElement>('[data-testid="step-action"]')!;
    expect(action.getAttribute("href")).toBe("/app/integrations");
    expect(action.textContent).toBe("Open integrations");
    expect(action.target).toBe("");

    // "Mark done" only on manual steps that are not done yet.
    const withDone = h.$$('[data-testid="step-done"]').map((b) => b.closest("li")!.dataset.step);
    expect(withDone).toEqual(["read-docs", "invite"]);

    const bar = h.$('[role="progressbar"]')!;
    expect([bar.getAttribute("aria-valuenow"), bar.getAttribute("aria-valuemin"), bar.getAttribute("aria-valuemax")]).toEqual(["2", "0", "5"]);
  });

  it("expands the first step not done and toggles others with aria-expanded", async () => {
    await boot();
    openPanel();
    const toggle = (id: string) => h.$(`li[data-step="${id}"] [data-testid="step-toggle"]`)!;
    expect(toggle("connect-data").getAttribute("aria-expanded")).toBe("true");
    expect(toggle("read-docs").getAttribute("aria-expanded")).toBe("false");
    expect(h.root().getElementById(toggle("read-docs").getAttribute("aria-controls")!)!.hidden).toBe(true);
    toggle("read-docs").click();
    expect(toggle("read-docs").getAttribute("aria-expanded")).toBe("true");
    expect(h.root().getElementById(toggle("read-docs").getAttribute("aria-controls")!)!.hidden).toBe(false);
  });

  it("closes on Escape and returns focus to the launcher", async () => {
    await boot();
    openPanel();
    const panel = h.$('[data-testid="guide-panel"]')!;
    expect(h.root().activeElement).toBe(h.$('[data-testid="guide-title"]'));
    panel.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
    expect(panel.hidden).toBe(true);
    expect(h.root().activeElement).toBe(h.$('[data-testid="guide-launcher"]'));
    expect(h.$('[data-testid="guide-launcher"]')!.getAttribute("aria-expanded")).toBe("false");
  });

  it("sets validated theme variables on the host and drops unsafe ones", async () => {
    const payload = bootstrapPayload();
    payload.workspace.theme = { accent: "#0ea5e9", background: "red; } body { display:none", radius: 6, font: "url(x)" };
    await boot(payload);
    const host = document.querySelector<HTMLElement>("#guide-root")!;
    expect(host.style.getPropertyValue("--guide-accent")).toBe("#0ea5e9");
    expect(host.style.getPropertyValue("--guide-radius")).toBe("6px");
    expect(host.style.getPropertyValue("--guide-bg")).toBe("");
    expect(host.style.getPropertyValue("--guide-font")).toBe("");
  });

  it("does not render anything without a checklist and without help", async () => {
    const payload = bootstrapPayload({ guides: [] });
    payload.workspace.help_enabled = false;
    await boot(payload);
    const host = document.querySelector<HTMLElement>("#guide-root");
    expect(host === null || host.hidden).toBe(true);
  });

  it("shows only the help button without a checklist when help is enabled", async () => {
    await boot(bootstrapPayload({ guides: [] }));
    expect(h.$('[data-testid="guide-help-button"]')!.hidden).toBe(false);
    expect(h.$('[data-testid="guide-launcher"]')!.hidden).toBe(true);
  });

  it("picks the open checklist with the lowest priority and offers a selector", async () => {
    const payload = bootstrapPayload();
    const first = payload.guides[0];
    payload.guides = [
      { ...first, key: "later", title: "Later", priority: 5 },
      { ...first, key: "done-one", title: "Done", priority: -1 },
      first,
    ];
    payload.progress["done-one"] = { state: "completed", completed: first.steps.map((s) => s.id), total: 5 };
    await boot(payload);
    openPanel();
    expect(h.$('[data-testid="guide-title"]')!.textContent).toBe("Get set up in 5 minutes");
    const tabs = h.$$('[data-testid="guide-tab"]');
    expect(tabs.map((t) => t.dataset.guide)).toEqual(["later", "done-one", "getting-started"]);
    tabs[1].click();
    expect(h.$('[data-testid="guide-title"]')!.textContent).toBe("Done");
    expect(h.$('[data-testid="guide-all-done"]')).not.toBeNull();
    expect(h.$$('[data-testid="step-done"]')).toHaveLength(0);
  });

  it("opens the requested checklist with start(), even before bootstrap", async () => {
    h = harness();
    h.api.start("getting-started");
    h.api.init({ appKey: "demo" });
    h.api.identify("user-123");
    await settle();
    expect(h.$('[data-testid="guide-panel"]')!.hidden).toBe(false);
  });

  it("without help enabled, openHelp() opens the support URL in a new tab with noopener", async () => {
    const payload = bootstrapPayload();
    payload.workspace.help_enabled = false;
    await boot(payload);
    const open = vi.spyOn(window, "open").mockImplementation(() => null);
    expect(h.$('[data-testid="guide-help-button"]')!.hidden).toBe(true);
    h.api.openHelp();
    expect(open).toHaveBeenCalledWith("https://help.example.com/new?ref=", "_blank", "noopener");
  });
});

describe("mark done", () => {
  const stepDone = (id: string) => h.$(`li[data-step="${id}"] [data-testid="step-done"]`)!;
  const sent = () => h.socket().emitted.filter((e) => e.event === "step:complete");

  it("is optimistic and reconciles with the ok ack", async () => {
    await boot();
    h.socket().accept();
    const completed = vi.fn();
    h.api.on("step:completed", completed);
    openPanel();
    stepDone("read-docs").click();
    expect(h.$('li[data-step="read-docs"]')!.dataset.done).toBe("true");
    // Done here, but the server has not said so yet: marked, not passed off as saved.
    expect(h.$('li[data-step="read-docs"]')!.dataset.pending).toBe("true");
    expect(h.$('li[data-step="read-docs"] [data-testid="step-pending"]')!.textContent).toBe("Not saved yet");
    expect(h.$('[data-testid="guide-progress"]')!.textContent).toBe("3/5");
    await settle(); // persisted first, then sent
    const [envelope] = sent();
    expect(envelope.data).toEqual({ id: expect.any(String), guide: "getting-started", step: "read-docs", at: expect.any(String) });
    envelope.ack({
      ok: true,
      id: envelope.data.id,
      duplicate: false,
      progress: { "getting-started": { state: "active", completed: ["welcome", "profile", "read-docs"], total: 5 } },
      completed: [{ guide: "getting-started", step: "read-docs" }],
    });
    await settle();
    expect(h.$('li[data-step="read-docs"]')!.dataset.done).toBe("true");
    expect(h.$('li[data-step="read-docs"]')!.hasAttribute("data-pending")).toBe(false);
    expect(h.$('li[data-step="read-docs"] [data-testid="step-pending"]')).toBeNull();
    expect(completed).toHaveBeenCalledExactlyOnceWith({ guide: "getting-started", step: "read-docs" });
  });

  it("reverts on a nack and shows an inline error", async () => {
    await boot();
    h.socket().accept();
    const onError = vi.fn();
    h.api.on("error", onError);
    openPanel();
    stepDone("invite").click();
    expect(h.$('li[data-step="invite"]')!.dataset.done).toBe("true");
    await settle();
    sent()[0].ack({ ok: false, error: { code: "step_not_manual", message: "Not manual." } });
    await settle();
    expect(h.$('li[data-step="invite"]')!.dataset.done).toBe("false");
    expect(h.$('li[data-step="invite"]')!.hasAttribute("data-pending")).toBe(false);
    expect(h.$('li[data-step="invite"] [data-testid="step-error"]')!.textContent).toMatch(/try again/i);
    expect(h.$('[data-testid="guide-progress"]')!.textContent).toBe("2/5");
    expect(onError).toHaveBeenCalledWith({ code: "step_not_manual", message: "Not manual." });
  });

  it("applies remote progress pushes and emits guide:completed", async () => {
    await boot();
    const steps = vi.fn();
    const guides = vi.fn();
    h.api.on("step:completed", steps);
    h.api.on("guide:completed", guides);
    h.socket().fire("progress", {
      progress: {
        "getting-started": {
          state: "completed",
          completed: ["welcome", "profile", "connect-data", "read-docs", "invite"],
          total: 5,
        },
      },
    });
    expect(h.$('[data-testid="guide-progress"]')!.textContent).toBe("5/5");
    expect(steps).toHaveBeenCalledTimes(3);
    expect(guides).toHaveBeenCalledWith({ guide: "getting-started" });
    openPanel();
    expect(h.$('[data-testid="guide-all-done"]')).not.toBeNull();
  });
});
