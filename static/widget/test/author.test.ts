import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createAuthorTools } from "../src/author/tools";
import type { BootstrapResponse } from "../src/types";
import { booted, bootstrapBodies, bootstrapPayload, settle, type Harness } from "./helpers";

let h: Harness;
const authorRoot = () => document.querySelector("#guide-author-root")?.shadowRoot ?? null;
const $a = (s: string) => authorRoot()?.querySelector<HTMLElement>(s) ?? null;

beforeEach(() => {
  vi.spyOn(console, "error").mockImplementation(() => {});
  sessionStorage.clear();
});
afterEach(() => {
  h?.api.destroy();
  document.body.replaceChildren();
  history.replaceState(null, "", "/");
});

async function boot(url: string, payload: BootstrapResponse | (() => BootstrapResponse) = bootstrapPayload()): Promise<Harness> {
  history.replaceState(null, "", url);
  return (h = await booted(payload));
}

describe("preview", () => {
  const draft = () =>
    bootstrapPayload({ preview: { ok: true, guide: "getting-started", version: 7, author: "ann@acme.io" } } as Partial<BootstrapResponse>);

  it("takes the token out of the URL, keeps it for the tab and sends it with every bootstrap", async () => {
    await boot("/app/dashboard?tab=1&guide_preview=tok-123#top", draft);
    expect(location.pathname + location.search + location.hash).toBe("/app/dashboard?tab=1#top");
    expect(sessionStorage.getItem("guide.guide_preview")).toBe("tok-123");
    expect(bootstrapBodies(h.fetch)[0].preview).toBe("tok-123");
    h.socket().fire("guides:changed", {});
    await settle();
    expect(bootstrapBodies(h.fetch)[1].preview).toBe("tok-123");
  });

  it("shows a badge, keeps the draft's progress in the page, and exits on request", async () => {
    await boot("/app/dashboard?guide_preview=tok-123", draft);
    await settle();
    expect($a('[data-testid="preview-badge"]')!.textContent).toContain("Preview of version 7");
    h.$('[data-testid="guide-launcher"]')!.click();
    h.$('li[data-step="read-docs"] [data-testid="step-done"]')!.click();
    await settle();
    expect(h.$('li[data-step="read-docs"]')!.dataset.done).toBe("true");
    expect(h.socket().emitted.filter((e) => e.event === "step:complete")).toEqual([]);
    $a('[data-testid="preview-exit"]')!.click();
    await settle();
    expect(sessionStorage.getItem("guide.guide_preview")).toBeNull();
    const bodies = bootstrapBodies(h.fetch);
    expect(bodies[bodies.length - 1].preview).toBeUndefined();
  });

  it("an expired token is dropped and the author told", async () => {
    const expired = () =>
      bootstrapPayload({ preview: { ok: false, error: { code: "preview_expired", message: "Expired." } } } as Partial<BootstrapResponse>);
    await boot("/app/dashboard?guide_preview=old", expired);
    await settle();
    expect($a('[data-testid="preview-badge"]')!.textContent).toContain("Preview expired");
    expect(sessionStorage.getItem("guide.guide_preview")).toBeNull();
  });

  it("advertises preview and pick in Guide.supports", async () => {
    await boot("/app/dashboard");
    expect(h.api.supports).toEqual(expect.arrayContaining(["preview", "pick"]));
    expect(authorRoot()).toBeNull(); // nothing of the author tools for everyone else
  });
});

describe("pick mode", () => {
  it("captures a click (the page never sees it) and sends the selector on the socket", async () => {
    const payload = bootstrapPayload();
    await boot("/app/dashboard?guide_pick=pick-1", payload);
    await settle();
    const button = document.createElement("button");
    button.id = "new-dashboard";
    const pageClick = vi.fn();
    button.addEventListener("click", pageClick);
    document.body.append(button);
    button.dispatchEvent(new MouseEvent("mousemove", { bubbles: true, composed: true }));
    expect($a('[data-testid="picker-box"]')!.hidden).toBe(false);
    button.click();
    expect(pageClick).not.toHaveBeenCalled();
    const sent = h.socket().emitted.find((e) => e.event === "picker:selected")!;
    expect(sent.data).toEqual({ token: "pick-1", selector: "#new-dashboard", url: "/app/dashboard" });
    sent.ack({ ok: true });
    await settle();
    expect($a('[data-testid="picker-status"]')!.textContent).toBe("Sent to the editor");
    expect(sessionStorage.getItem("guide.guide_pick")).toBeNull();
    button.click(); // pick mode is over
    expect(pageClick).toHaveBeenCalledTimes(1);
  });

  it("shows the server's refusal and stays in pick mode; Esc leaves it", async () => {
    await boot("/app/dashboard?guide_pick=bad");
    await settle();
    const target = document.createElement("div");
    target.setAttribute("data-testid", "chart");
    document.body.append(target);
    target.click();
    h.socket().emitted.find((e) => e.event === "picker:selected")!.ack({ ok: false, error: { code: "pick_token_invalid", message: "Expired pick session." } });
    await settle();
    expect($a('[data-testid="picker-status"]')!.textContent).toBe("Not sent: Expired pick session.");
    document.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
    expect($a('[data-testid="picker"]')!.hidden).toBe(true);
  });

  it("ignores clicks on the widget itself", () => {
    const pickFn = vi.fn(async () => ({ ok: true as const }));
    const tools = createAuthorTools({ win: window, exitPreview: vi.fn(), pick: pickFn, pickDone: vi.fn() });
    tools.pick();
    const host = document.createElement("div");
    host.setAttribute("data-guide-widget", "");
    const inner = document.createElement("button");
    host.append(inner);
    document.body.append(host);
    inner.click();
    expect(pickFn).not.toHaveBeenCalled();
    tools.destroy();
  });
});
