import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { fmt, mergeStrings } from "../src/i18n";
import { bootstrapPayload, harness, settle, type Harness } from "./helpers";

describe("widget strings", () => {
  it("takes the server's words; a key it did not send reads as its name, never blank", () => {
    const merged = mergeStrings({ mark_done: "Terminé", open: 42, close: "" });
    expect(merged.mark_done).toBe("Terminé");
    expect(merged.open).toBe("open"); // not a string
    expect(merged.close).toBe("close"); // empty
    expect(merged.contact_support).toBe("contact support"); // missing (an older server)
    expect(mergeStrings(null).skip_tour).toBe("skip tour");
    // Inherited properties are not words: a polluted Object.prototype changes nothing.
    Object.defineProperty(Object.prototype, "later", { value: "hijacked", configurable: true });
    try {
      expect(mergeStrings({}).later).toBe("later");
    } finally {
      delete (Object.prototype as Record<string, unknown>).later;
    }
  });

  it("fills placeholders and leaves unknown ones alone", () => {
    expect(fmt("{done} sur {total}", { done: 2, total: 5 })).toBe("2 sur 5");
    expect(fmt("{done} of {x}", { done: 1 })).toBe("1 of {x}");
  });
});

describe("localized rendering", () => {
  let h: Harness;
  beforeEach(() => {
    vi.spyOn(console, "error").mockImplementation(() => {});
  });
  afterEach(() => {
    h?.api.destroy();
    document.body.replaceChildren();
  });

  it("uses the bootstrap's strings in the launcher and the panel", async () => {
    h = harness(bootstrapPayload({
      strings: { launcher_name: "Liste de démarrage", steps_done: "{done} étapes sur {total}", mark_done: "Marquer comme fait" },
    }));
    h.api.init({ appKey: "demo", server: "https://guide.test" });
    h.api.identify("user-123", {});
    await settle();
    const launcher = h.$('[data-testid="guide-launcher"]')!;
    expect(launcher.textContent).toContain("Liste de démarrage: ");
    expect(launcher.textContent).toContain("2 étapes sur 5");
    launcher.click();
    expect(h.$('[data-testid="step-done"]')!.textContent).toBe("Marquer comme fait");
  });
});
