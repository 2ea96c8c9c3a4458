import type { h as H } from "../h";
import type { Answer, Question } from "./contract";

/** One question on the card, and how to read its answer back. */
export interface Field {
  q: Question;
  el: HTMLFieldSetElement;
  /** The answer as the envelope carries it; undefined when none. */
  value(): Answer | undefined;
  /** Where focus goes when the question needs an answer. */
  first(): HTMLElement | null;
  error: HTMLParagraphElement;
}

const scale = (q: Question): number[] => {
  const out: number[] = [];
  for (let n = q.min ?? 1; n <= (q.max ?? 5); n++) out.push(n);
  return out;
};

/**
 * Renders a question as a fieldset: a scale (nps, csat, rating) or one choice
 * as native radios (a radio group: arrow keys move, the legend names it, the
 * ends of the scale are its description), several choices as checkboxes, text
 * as a textarea. Native controls: keyboard and screen readers need nothing more.
 */
export function field(doc: Document, h: typeof H, id: string, q: Question, onChange: () => void): Field {
  const name = `${id}-${q.id}`;
  const error = h(doc, "p", { class: "error", id: `${name}-e`, "aria-live": "polite" });
  const desc = [`${name}-e`];
  const el = h(doc, "fieldset", { class: `q q-${q.type}`, "data-question": q.id, "aria-describedby": null });
  el.append(h(doc, "legend", {}, q.title));
  if (q.body_html) {
    const body = h(doc, "div", { class: "step-html", id: `${name}-b` });
    body.innerHTML = q.body_html; // sanitized by the server
    el.append(body);
    desc.unshift(`${name}-b`);
  }
  const radio = (value: string, label: string, type = "radio"): HTMLLabelElement =>
    h(doc, "label", { class: "opt" }, h(doc, "input", { type, name, value, onchange: onChange }), h(doc, "span", {}, label));
  let box: HTMLTextAreaElement | null = null;
  if (q.type === "nps" || q.type === "csat" || q.type === "rating") {
    const low = q.labels?.low;
    const high = q.labels?.high;
    const nums = scale(q);
    const ends = low || high ? `${nums[0]}: ${low ?? ""}, ${nums[nums.length - 1]}: ${high ?? ""}` : "";
    const row = h(doc, "div", { class: "scale", role: "radiogroup", "aria-label": q.title, "aria-describedby": ends ? `${name}-s` : null });
    row.append(...nums.map((n) => radio(String(n), String(n))));
    el.append(row);
    if (ends) el.append(h(doc, "p", { class: "ends", id: `${name}-s` }, h(doc, "span", { "aria-hidden": "true" }, low ?? ""), h(doc, "span", { "aria-hidden": "true" }, high ?? ""), h(doc, "span", { class: "sr" }, ends)));
  } else if (q.type === "single" || q.type === "multiple") {
    el.append(...(q.options ?? []).map((o) => radio(o.id, o.label, q.type === "single" ? "radio" : "checkbox")));
  } else {
    box = h(doc, "textarea", { id: `${name}-t`, maxlength: 2000, "aria-labelledby": null, oninput: onChange });
    el.append(h(doc, "label", { class: "sr", for: `${name}-t` }, q.title), box);
  }
  el.append(error);
  el.setAttribute("aria-describedby", desc.join(" "));
  const inputs = (): HTMLInputElement[] => Array.from(el.querySelectorAll("input"));
  const value = (): Answer | undefined => {
    if (box) return box.value.trim() || undefined;
    const on = inputs().filter((i) => i.checked).map((i) => i.value);
    if (!on.length) return undefined;
    if (q.type === "multiple") return on;
    return q.type === "single" ? on[0] : Number(on[0]);
  };
  return { q, el, value, error, first: () => box ?? inputs().find((i) => i.checked) ?? inputs()[0] ?? null };
}
