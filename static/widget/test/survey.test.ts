import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Survey } from "../src/survey/contract";
import { bootstrapPayload, dashboardTour, harness, settle, shownTourStep, tourRoot, tourTargets, type Harness } from "./helpers";

let h: Harness;

const NPS: Survey = {
  key: "nps", kind: "survey", version: 3, title: "How are we doing?", display: "card", due: true,
  questions: [
    { id: "score", type: "nps", title: "How likely are you to recommend us?", required: true, min: 0, max: 10,
      labels: { low: "Not at all likely", high: "Extremely likely" } },
    { id: "why", type: "text", title: "What should we do better?", required: false,
      show_if: { question: "score", scores: [0, 1, 2, 3, 4, 5, 6] } },
    { id: "love", type: "text", title: "What do you like most?", required: false,
      show_if: { question: "score", scores: [7, 8, 9, 10] } },
    { id: "use", type: "multiple", title: "What do you use?", required: false, max_choices: 1,
      options: [{ id: "dash", label: "Dashboards" }, { id: "rep", label: "Reports" }] },
  ],
};
const CSAT: Survey = {
  key: "csat", kind: "survey", version: 1, title: "Happy?", due: false,
  questions: [{ id: "sat", type: "csat", title: "How satisfied are you?", required: true, min: 1, max: 5, labels: { low: "Very unsatisfied", high: "Very satisfied" } }],
};

beforeEach(() => void vi.spyOn(console, "error").mockImplementation(() => {}));
afterEach(() => {
  h?.api.destroy();
  document.body.replaceChildren();
});

async function boot(surveys: Survey[], tour = false): Promise<void> {
  const base = bootstrapPayload({ surveys });
  h = harness(tour ? { ...base, guides: [...base.guides, dashboardTour()] } : base);
  h.api.init({ appKey: "demo", server: "https://guide.test" });
  h.api.identify("user-123");
  await settle();
  h.socket().accept();
  await settle();
}

const card = () => h.$('[data-testid="survey"]');
const sent = (event: string) => h.socket().emitted.filter((e) => e.event === event).map((e) => e.data);
const tracked = () => h.socket().emitted.flatMap((e) => (e.event === "envelopes" ? e.data.envelopes.map((x: any) => x.data) : e.event === "event:track" ? [e.data] : [])).map((d: any) => d.name);
const question = (id: string) => h.$(`[data-question="${id}"]`) as HTMLFieldSetElement;
const pick = (id: string, value: string) => {
  const input = question(id).querySelector<HTMLInputElement>(`input[value="${value}"]`)!;
  input.click();
};

describe("survey card", () => {
  it("shows the due survey after bootstrap, records $survey_shown once, and takes no focus", async () => {
    await boot([NPS]);
    expect(card()?.hidden).toBe(false);
    expect(card()!.getAttribute("role")).toBe("dialog");
    expect(h.root().activeElement).toBeNull();
    expect(tracked().filter((n) => n === "$survey_shown")).toHaveLength(1);
  });

  it("renders NPS as a radio group of 0-10 described by its labelled ends", async () => {
    await boot([NPS]);
    const group = question("score").querySelector('[role="radiogroup"]')!;
    const values = Array.from(group.querySelectorAll("input")).map((i) => (i as HTMLInputElement).value);
    expect(values).toEqual(["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10"]);
    const desc = h.root().getElementById(group.getAttribute("aria-describedby")!)!;
    expect(desc.textContent).toContain("0: Not at all likely, 10: Extremely likely");
  });

  it("branches by NPS band: the detractor follow-up shows for 3, the promoter one for 9", async () => {
    await boot([NPS]);
    expect(question("why").hidden).toBe(true);
    pick("score", "3");
    expect([question("why").hidden, question("love").hidden]).toEqual([false, true]);
    pick("score", "9");
    expect([question("why").hidden, question("love").hidden]).toEqual([true, false]);
  });

  it("refuses to send without a required answer, then sends survey:answer with only the shown questions and thanks", async () => {
    await boot([NPS]);
    h.$('[data-testid="survey-send"]')!.click();
    expect(question("score").querySelector(".error")!.textContent).toBe("Please answer this question.");
    expect(sent("survey:answer")).toHaveLength(0);
    pick("score", "3");
    (question("why").querySelector("textarea") as HTMLTextAreaElement).value = "Too slow ";
    h.$('[data-testid="survey-send"]')!.click();
    await settle();
    const [answer] = sent("survey:answer");
    expect(answer).toMatchObject({ survey: "nps", version: 3, answers: { score: 3, why: "Too slow" } });
    expect(typeof answer.id).toBe("string");
    expect(h.$('[data-testid="survey-thanks"]')!.textContent).toBe("Thank you for your feedback!");
  });

  it("an answer given offline is thanked at once and goes out once when the socket is back", async () => {
    await boot([NPS]);
    const s = h.socket();
    s.connected_ = false;
    s.fire("disconnect", "transport close"); // the network went away
    pick("score", "10");
    h.$('[data-testid="survey-send"]')!.click();
    await settle();
    expect(h.$('[data-testid="survey-thanks"]')).not.toBeNull();
    expect(sent("survey:answer")).toHaveLength(0);
    s.accept();
    await settle();
    const emitted = s.emitted.filter((e) => e.event === "survey:answer");
    expect(emitted.map((e) => e.data.answers)).toEqual([{ score: 10 }]);
    emitted[0].ack({ ok: true, id: emitted[0].data.id });
    s.connected_ = false;
    s.fire("disconnect", "transport close");
    s.accept(); // acknowledged: not sent again
    await settle();
    expect(s.emitted.filter((e) => e.event === "survey:answer")).toHaveLength(1);
  });

  it("holds a multiple choice to its max", async () => {
    await boot([NPS]);
    pick("score", "8");
    pick("use", "dash");
    pick("use", "rep");
    h.$('[data-testid="survey-send"]')!.click();
    await settle();
    expect(question("use").querySelector(".error")!.textContent).toBe("Choose at most 1.");
    expect(sent("survey:answer")).toHaveLength(0);
  });

  it("dismisses on Escape with $survey_dismissed", async () => {
    await boot([NPS]);
    card()!.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
    await settle();
    expect(card()!.hidden).toBe(true);
    expect(tracked()).toContain("$survey_dismissed");
  });

  it("Guide.start opens a listed survey that is not due, with focus on it", async () => {
    await boot([CSAT]);
    expect(card()).toBeNull();
    h.api.start("csat");
    await settle();
    expect(card()!.hidden).toBe(false);
    expect(h.root().activeElement?.textContent).toBe("Happy?");
    expect(Array.from(question("sat").querySelectorAll("input")).map((i) => (i as HTMLInputElement).value)).toEqual(["1", "2", "3", "4", "5"]);
  });
});

describe("display: panel", () => {
  const PANEL: Survey = { ...NPS, display: "panel" };
  const panel = () => h.$('[data-testid="guide-panel"]')!;
  const shownCount = () => tracked().filter((n) => n === "$survey_shown").length;

  it("is a section of the checklist panel, seen when the panel opens, answered and closed there", async () => {
    await boot([PANEL]);
    expect(h.root().querySelector<HTMLElement>(".svy.pop")?.hidden ?? true).toBe(true); // no card
    expect(shownCount()).toBe(0); // the panel is closed: not seen yet
    h.$('[data-testid="guide-launcher"]')!.click();
    await settle();
    const section = panel().querySelector<HTMLElement>('[data-testid="survey"]')!;
    expect(section.localName).toBe("section");
    expect(panel().children[1]).toBe(section); // right under the checklist's title
    expect(h.root().getElementById(section.getAttribute("aria-labelledby")!)!.textContent).toBe("How are we doing?");
    expect(shownCount()).toBe(1);
    section.querySelector<HTMLElement>('[data-testid="survey-send"]')!.click();
    expect(question("score").querySelector(".error")!.textContent).toBe("Please answer this question."); // the same checks
    pick("score", "9");
    section.querySelector<HTMLElement>('[data-testid="survey-send"]')!.click();
    await settle();
    expect(sent("survey:answer")[0]).toMatchObject({ survey: "nps", answers: { score: 9 } });
    expect(section.querySelector('[data-testid="survey-thanks"]')).not.toBeNull();
    section.querySelector<HTMLElement>('[data-testid="survey-close"]')!.click();
    await settle();
    expect(panel().querySelector('[data-testid="survey"]')).toBeNull();
    expect(shownCount()).toBe(1);
  });

  it("keeps focus in the section when the panel draws again", async () => {
    await boot([PANEL]);
    h.$('[data-testid="guide-launcher"]')!.click();
    await settle();
    pick("score", "9");
    const love = question("love").querySelector("textarea")!;
    love.focus();
    h.$('[data-testid="step-toggle"]')!.click(); // a step folds: the panel draws again
    expect(panel().querySelector('[data-testid="survey"]')).not.toBeNull();
    expect(h.root().activeElement).toBe(love);
  });

  it("is dismissible with its close button ($survey_dismissed)", async () => {
    await boot([PANEL]);
    h.$('[data-testid="guide-launcher"]')!.click();
    await settle();
    h.$('[data-testid="survey-close"]')!.click();
    await settle();
    expect(panel().querySelector('[data-testid="survey"]')).toBeNull();
    expect(tracked()).toContain("$survey_dismissed");
  });

  it("Guide.start opens the panel at it, with focus on its title", async () => {
    await boot([{ ...PANEL, due: false }]);
    h.api.start("nps");
    await settle();
    expect(panel().hidden).toBe(false);
    expect(h.root().activeElement?.textContent).toBe("How are we doing?");
    expect(panel().contains(h.root().activeElement)).toBe(true);
  });

  it("is the card when the user has no checklist panel", async () => {
    h = harness(bootstrapPayload({ surveys: [PANEL], guides: [] }));
    h.api.init({ appKey: "demo", server: "https://guide.test" });
    h.api.identify("user-123");
    await settle();
    h.socket().accept();
    await settle();
    expect(card()!.classList.contains("pop")).toBe(true);
    expect(card()!.hidden).toBe(false);
    expect(shownCount()).toBe(1);
  });
});

describe("a survey and a running tour", () => {
  beforeEach(() => {
    tourTargets();
    history.replaceState(null, "", "/demo/dashboard");
  });
  afterEach(() => history.replaceState(null, "", "/"));

  it("the due survey waits for the tour that runs on this page, and shows when the user ends it", async () => {
    await boot([NPS], true);
    await settle();
    expect(shownTourStep()).toBe("a");
    expect(card()).toBeNull(); // survey.js not even asked for yet
    tourRoot()!.querySelector<HTMLElement>('[data-testid="tour-dismiss"]')!.click();
    await settle();
    expect(card()?.hidden).toBe(false);
    expect(h.root().activeElement).toBeNull(); // still no focus taken
    expect(tracked().filter((n) => n === "$survey_shown")).toHaveLength(1);
  });

  it("Guide.start(survey) shows it at once, over the tour", async () => {
    await boot([CSAT], true);
    await settle();
    expect(shownTourStep()).toBe("a");
    h.api.start("csat");
    await settle();
    expect(card()?.hidden).toBe(false);
  });
});

describe("was this helpful? on a checklist step", () => {
  it("asks under a step with helpful: true, keeps a half-typed comment across redraws, and sends guide + step", async () => {
    const payload = bootstrapPayload();
    payload.guides[0].steps[2].helpful = true; // connect-data: the first step not done, open
    h = harness(payload);
    h.api.init({ appKey: "demo", server: "https://guide.test" });
    h.api.identify("user-123");
    await settle();
    h.socket().accept();
    h.$('[data-testid="guide-launcher"]')!.click();
    await settle();
    const box = () => h.$('li[data-step="connect-data"] [data-testid="helpful"]');
    expect(box()).not.toBeNull();
    expect(h.$$('[data-testid="helpful"]')).toHaveLength(1); // the other steps did not ask for it
    h.$('[data-testid="helpful-no"]')!.click();
    const comment = h.$('[data-testid="helpful-comment"]') as HTMLTextAreaElement;
    comment.value = "The port is missing";
    h.$('li[data-step="read-docs"] [data-testid="step-toggle"]')!.click(); // the panel redraws
    await settle();
    expect((h.$('[data-testid="helpful-comment"]') as HTMLTextAreaElement).value).toBe("The port is missing");
    h.$('[data-testid="helpful-send"]')!.click();
    await settle();
    expect(sent("feedback:helpful")).toMatchObject([{ guide: "getting-started", step: "connect-data", helpful: false, comment: "The port is missing" }]);
    expect(box()!.textContent).toBe("Thanks for letting us know.");
  });
});
