import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { bootstrapPayload, harness, jsonResponse, settle, type Harness } from "./helpers";

let h: Harness;
const ARTICLES = [
  { key: "connect-data-sources", title: "Connect a data source", excerpt: "Paste a read-only connection string.", suggested: true },
  { key: "invite-teammates", title: "Invite your teammates", excerpt: "Open Settings, Team.", suggested: false },
];

beforeEach(() => {
  vi.spyOn(console, "error").mockImplementation(() => {});
  history.replaceState(null, "", "/app/integrations");
});
afterEach(() => {
  h?.api.destroy();
  vi.useRealTimers();
  document.body.replaceChildren();
});

/** A widget whose server answers the help endpoints too. */
async function boot(payload = bootstrapPayload()): Promise<Harness> {
  payload.guides[0].steps[2].help = "connect-data-sources";
  h = harness(payload);
  h.fetch.mockImplementation(async (url: string) => {
    if (url.endsWith("/bootstrap")) return jsonResponse(payload);
    if (url.includes("/api/v1/widget/help?")) {
      const q = new URL(url).searchParams.get("q");
      return jsonResponse({ articles: q ? ARTICLES.filter((a) => a.title.toLowerCase().includes(q)) : ARTICLES });
    }
    if (url.includes("/api/v1/widget/help/")) {
      return jsonResponse({ key: "connect-data-sources", title: "Connect a data source", tags: [], body_html: "<p>Use a <strong>read-only</strong> user.</p>" });
    }
    return jsonResponse({ results: [] });
  });
  h.api.init({ appKey: "demo", server: "https://guide.test" });
  h.api.identify("user-123");
  await settle();
  h.socket().accept();
  return h;
}

const panel = () => h.$('[data-testid="help-panel"]')!;
const helpCalls = () => h.fetch.mock.calls.filter(([url]) => String(url).includes("/widget/help"));
const escalations = () => h.socket().emitted.filter((e) => e.event === "help:escalate");

describe("help panel", () => {
  it("opens from the help button as a labelled dialog with suggested articles for where the user is", async () => {
    await boot();
    h.$('[data-testid="guide-help-button"]')!.click();
    await settle();
    expect(panel().hidden).toBe(false);
    expect(panel().getAttribute("role")).toBe("dialog");
    expect(h.root().getElementById(panel().getAttribute("aria-labelledby")!)!.textContent).toBe("Help");
    const [url, init] = helpCalls()[0];
    const params = new URL(String(url)).searchParams;
    expect(Object.fromEntries(params)).toEqual({ q: "", url: "/app/integrations", guide: "getting-started", step: "connect-data" });
    expect((init as RequestInit).headers).toEqual({ Authorization: "Bearer sock-1" });
    expect(h.$$('[data-testid="help-article"]').map((b) => b.dataset.key)).toEqual(["connect-data-sources", "invite-teammates"]);
    // The search box has focus and a label.
    const search = h.$('[data-testid="help-search"]') as HTMLInputElement;
    expect(h.root().activeElement).toBe(search);
    expect(h.root().querySelector(`label[for="${search.id}"]`)!.textContent).toBe("Search help articles");
  });

  it("searches as the user types (debounced), and shows an article's sanitized HTML", async () => {
    await boot();
    h.api.openHelp();
    await settle();
    const search = h.$('[data-testid="help-search"]') as HTMLInputElement;
    vi.useFakeTimers();
    for (const text of ["i", "in", "inv"]) {
      search.value = text;
      search.dispatchEvent(new Event("input"));
      await vi.advanceTimersByTimeAsync(100);
    }
    await vi.advanceTimersByTimeAsync(300);
    vi.useRealTimers();
    await settle();
    const queries = helpCalls().map(([url]) => new URL(String(url)).searchParams.get("q"));
    expect(queries).toEqual(["", "inv"]);
    expect(h.$$('[data-testid="help-article"]').map((b) => b.dataset.key)).toEqual(["invite-teammates"]);
    h.$('[data-testid="help-article"]')!.click();
    await settle();
    expect(h.$('[data-testid="help-body"]')!.innerHTML).toBe("<p>Use a <strong>read-only</strong> user.</p>");
    expect(h.root().activeElement!.classList.contains("title")).toBe(true);
  });

  it("asks \"Was this helpful?\" under an article: Yes sends a vote at once, No asks for a comment first", async () => {
    await boot();
    h.api.openHelp();
    await settle();
    h.$('[data-testid="help-article"]')!.click();
    await settle();
    h.$('[data-testid="helpful-yes"]')!.click();
    await settle();
    expect(h.$('[data-testid="helpful-thanks"]')!.textContent).toBe("Thanks for letting us know.");
    h.$('[data-testid="help-back"]')!.click();
    await settle();
    h.$('[data-testid="help-article"]')!.click();
    await settle();
    h.$('[data-testid="helpful-no"]')!.click();
    const comment = h.$('[data-testid="helpful-comment"]') as HTMLTextAreaElement;
    expect(h.root().activeElement).toBe(comment);
    expect(h.socket().emitted.filter((e) => e.event === "feedback:helpful")).toHaveLength(1);
    comment.value = "Missing the port number";
    h.$('[data-testid="helpful-send"]')!.click();
    await settle();
    const votes = h.socket().emitted.filter((e) => e.event === "feedback:helpful").map((e) => e.data);
    expect(votes).toMatchObject([
      { article: "connect-data-sources", helpful: true },
      { article: "connect-data-sources", helpful: false, comment: "Missing the port number" },
    ]);
    expect(votes[0]).not.toHaveProperty("comment");
  });

  it("closes on Escape and returns focus to the help button", async () => {
    await boot();
    h.$('[data-testid="guide-help-button"]')!.click();
    await settle();
    panel().dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
    expect(panel().hidden).toBe(true);
    expect(h.root().activeElement).toBe(h.$('[data-testid="guide-help-button"]'));
  });

  it("contact support sends help:escalate and shows the reference and the help desk link", async () => {
    await boot();
    h.api.openHelp();
    await settle();
    h.$('[data-testid="help-contact"]')!.click();
    const message = h.$('[data-testid="help-message"]') as HTMLTextAreaElement;
    expect(h.root().querySelector(`label[for="${message.id}"]`)!.textContent).toBe("What do you need help with?");
    expect(h.root().activeElement).toBe(message);
    message.value = "  The connection test fails.  ";
    h.$('input[value="blocked"]')!.click();
    h.$('[data-testid="help-form"]')!.dispatchEvent(new Event("submit", { cancelable: true }));
    await settle();
    const [sent] = escalations();
    expect(sent.data).toEqual({
      id: expect.any(String), at: expect.any(String), message: "The connection test fails.", severity: "blocked",
      guide: "getting-started", step: "connect-data", url: "/app/integrations",
    });
    sent.ack({ ok: true, id: sent.data.id, reference: "ESC-7K3F2Q", status: "open", support_url: "https://help.example.com/new?ref=ESC-7K3F2Q", progress: {}, completed: [] });
    await settle();
    expect(h.$('[data-testid="help-reference"]')!.textContent).toBe("Reference: ESC-7K3F2Q");
    const link = h.$('[data-testid="help-desk"]') as HTMLAnchorElement;
    expect([link.href, link.target, link.rel]).toEqual(["https://help.example.com/new?ref=ESC-7K3F2Q", "_blank", "noopener noreferrer"]);
  });

  it("an empty message is not sent; a refused one says so and can be sent again", async () => {
    await boot();
    h.api.openHelp();
    await settle();
    h.$('[data-testid="help-contact"]')!.click();
    const form = h.$('[data-testid="help-form"]')!;
    (h.$('[data-testid="help-message"]') as HTMLTextAreaElement).value = "   ";
    form.dispatchEvent(new Event("submit", { cancelable: true }));
    await settle();
    expect(escalations()).toEqual([]);
    (h.$('[data-testid="help-message"]') as HTMLTextAreaElement).value = "Help";
    form.dispatchEvent(new Event("submit", { cancelable: true }));
    await settle();
    escalations()[0].ack({ ok: false, error: { code: "unknown_step", message: "No such step." } });
    await settle();
    expect(h.$('[data-testid="help-status"]')!.textContent).toMatch(/could not send/i);
    expect((h.$('[data-testid="help-send"]') as HTMLButtonElement).disabled).toBe(false);
  });

  it("a step's Stuck? opens its article, and escalating from there is about that step", async () => {
    await boot();
    h.$('[data-testid="guide-launcher"]')!.click();
    h.$('li[data-step="connect-data"] [data-testid="step-stuck"]')!.click();
    await settle();
    expect(h.$('[data-testid="guide-panel"]')!.hidden).toBe(true);
    expect(h.$('[data-testid="help-body"]')!.textContent).toContain("read-only");
    h.$('[data-testid="help-contact"]')!.click();
    expect(h.$('[data-testid="help-about"]')!.textContent).toBe("About: Connect your data source");
    (h.$('[data-testid="help-message"]') as HTMLTextAreaElement).value = "Stuck here";
    h.$('[data-testid="help-form"]')!.dispatchEvent(new Event("submit", { cancelable: true }));
    await settle();
    expect(escalations()[0].data).toMatchObject({ guide: "getting-started", step: "connect-data", article: "connect-data-sources", severity: "question" });
  });

  it("Guide.openHelp() before the bootstrap opens once it is there", async () => {
    h = harness();
    h.api.init({ appKey: "demo", server: "https://guide.test" });
    h.api.openHelp();
    h.api.identify("user-123");
    await settle();
    expect(panel().hidden).toBe(false);
  });
});

describe("nudges", () => {
  it("shows support's note once per id, dismissible", async () => {
    await boot();
    const seen = vi.fn();
    h.api.on("nudge", seen);
    const nudge = { id: 12, message: "We fixed the connection.", reference: "ESC-7K3F2Q", status: "resolved" };
    h.socket().fire("nudge", nudge);
    h.socket().fire("nudge", nudge); // a second server process sent it too
    const card = h.$('[data-testid="guide-nudge"]')!;
    expect(card.hidden).toBe(false);
    expect(card.getAttribute("role")).toBe("status");
    expect(card.textContent).toContain("We fixed the connection.");
    expect(card.textContent).toContain("ESC-7K3F2Q");
    expect(seen).toHaveBeenCalledTimes(1);
    h.$('[data-testid="nudge-dismiss"]')!.click();
    expect(card.hidden).toBe(true);
  });
});

describe("help-open tracking", () => {
  const opens = () => h.socket().emitted.filter((e) => e.event === "event:track" && e.data.name === "$help_open").map((e) => e.data.props);

  it("tracks $help_open with where the user is when the help button opens the panel", async () => {
    await boot();
    h.$('[data-testid="guide-help-button"]')!.click();
    await settle();
    expect(opens()).toEqual([{ guide: "getting-started", step: "connect-data", article: null }]);
  });

  it("tracks the step and article a step's Stuck? opens, once per opening", async () => {
    await boot();
    h.$('[data-testid="guide-launcher"]')!.click();
    h.$('li[data-step="connect-data"] [data-testid="step-stuck"]')!.click();
    await settle();
    h.$('[data-testid="help-close"]')!.click();
    h.$('[data-testid="guide-launcher"]')!.click();
    h.$('li[data-step="connect-data"] [data-testid="step-stuck"]')!.click();
    await settle();
    const at = { guide: "getting-started", step: "connect-data", article: "connect-data-sources" };
    expect(opens()).toEqual([at, at]);
  });

  it("does not count opening the panel again while it is open as another opening", async () => {
    await boot();
    h.$('[data-testid="guide-help-button"]')!.click();
    await settle();
    h.api.openHelp();
    await settle();
    expect(opens()).toHaveLength(1);
    h.$('[data-testid="help-close"]')!.click();
    h.api.openHelp();
    await settle();
    expect(opens()).toHaveLength(2);
  });

  it("tracks nothing when the workspace has no help panel (the support URL opens instead)", async () => {
    const payload = bootstrapPayload();
    payload.workspace.help_enabled = false;
    const open = vi.spyOn(window, "open").mockImplementation(() => null);
    await boot(payload);
    h.api.openHelp();
    await settle();
    expect(open).toHaveBeenCalled();
    expect(opens()).toEqual([]);
  });
});
