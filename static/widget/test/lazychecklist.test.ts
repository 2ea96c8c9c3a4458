import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { renderChecklist } from "../src/panel/render";
import type { RenderChecklist } from "../src/panel/contract";
import { bootstrapPayload, harness, settle, type Harness } from "./helpers";

/**
 * The checklist panel's renderer is dist/checklist.js (issue #17): fetched right
 * after a bootstrap that lists a checklist, never waited for by the launcher, and
 * awaited by an open that comes before it.
 */
let h: Harness;
let console_: ReturnType<typeof vi.spyOn>;

beforeEach(() => {
  console_ = vi.spyOn(console, "error").mockImplementation(() => {});
});
afterEach(() => {
  h?.api.destroy();
  document.body.replaceChildren();
});

/** A loader held back until `arrive()` (or failing on `fail()`). */
function heldLoader() {
  let arrive!: () => void, fail!: () => void;
  const load = vi.fn(
    () =>
      new Promise<RenderChecklist>((resolve, reject) => {
        arrive = () => resolve(renderChecklist);
        fail = () => reject({ code: "bundle_unavailable", message: "Could not load checklist.js" });
      }),
  );
  return { load, arrive: () => arrive(), fail: () => fail() };
}

async function boot(load: () => Promise<RenderChecklist>, payload = bootstrapPayload()): Promise<Harness> {
  h = harness(payload, undefined, { loadChecklist_: load });
  h.api.init({ appKey: "demo", server: "https://guide.test" });
  h.api.identify("user-123");
  await settle();
  return h;
}

const launcher = () => h.$('[data-testid="guide-launcher"]')!;
const panel = () => h.$('[data-testid="guide-panel"]')!;

describe("the lazily loaded checklist panel", () => {
  it("is asked for right after a bootstrap with a checklist; the launcher does not wait for it", async () => {
    const held = heldLoader();
    await boot(held.load);
    expect(held.load).toHaveBeenCalledTimes(1);
    expect(launcher().hidden).toBe(false);
    expect(h.$('[data-testid="guide-progress"]')!.textContent).toBe("2/5");
    expect(panel().hidden).toBe(true);
  });

  it("is not asked for when the user has no checklist", async () => {
    const held = heldLoader();
    await boot(held.load, bootstrapPayload({ guides: [] }));
    expect(held.load).not.toHaveBeenCalled();
  });

  it("opens the panel once it arrives when the launcher was clicked before, focus on the title", async () => {
    const held = heldLoader();
    await boot(held.load);
    launcher().click();
    await settle();
    expect(panel().hidden).toBe(true);
    expect(launcher().getAttribute("aria-expanded")).toBe("false");
    held.arrive();
    await settle();
    expect(panel().hidden).toBe(false);
    expect(launcher().getAttribute("aria-expanded")).toBe("true");
    expect(h.root().activeElement?.getAttribute("data-testid")).toBe("guide-title");
    expect(h.$$("li[data-step]")).toHaveLength(5);
    expect(held.load).toHaveBeenCalledTimes(1);
  });

  it("reports a failed load, and the next open tries again", async () => {
    const held = heldLoader();
    await boot(held.load);
    held.fail();
    await settle();
    expect(console_).toHaveBeenCalledWith("[Guide] Could not load checklist.js", "bundle_unavailable");
    launcher().click();
    expect(held.load).toHaveBeenCalledTimes(2);
    held.arrive();
    await settle();
    expect(panel().hidden).toBe(false);
  });
});
