/**
 * A robust CSS selector for an element the author picked (docs/AUTHORING.md,
 * "Element picker"): one that keeps matching after the next deploy. In order:
 * a stable-looking id; test/guide data attributes; other data attributes;
 * `name`; stable classes (one, then two); then the same under one uniquely
 * identified ancestor (at most five levels up); and only as a last resort
 * one `:nth-of-type` under that ancestor. Never an nth-child chain. Every
 * candidate is checked with querySelectorAll to match exactly that element;
 * null when none does.
 */

/** Preferred data attributes, in order: the ones teams add for tests and tours. */
export const DATA_ATTRS = ["data-testid", "data-test", "data-test-id", "data-cy", "data-qa", "data-guide", "data-tour", "data-id"];

const STATE = /^(is-|has-)|^(active|current|open|opened|closed|selected|checked|disabled|hidden|visible|show|shown|hover|focus|focused|expanded|collapsed|loading)$/i;
const STATE_ATTR = /state|active|selected|open|expanded|hover|focus|visible|loading|index/i;

/**
 * Ids, classes and values that a build tool or framework generated, so the
 * next build will change them: long digit runs, CSS-in-JS and CSS-module
 * hashes, framework prefixes, React's useId (`:r1:`), very long tokens.
 */
export function looksGenerated(token: string): boolean {
  return (
    token.length > 40 ||
    /\d{3,}/.test(token) ||
    /[-_]\d+[-_]/.test(token) || // an instance counter inside a name (react-select-12-input)
    /[:[\]{}()\s"'\\]/.test(token) ||
    /^\d/.test(token) ||
    (/^(css|sc|jsx|emotion|svelte|styled|ng-tns|ember|mui-|chakra-)[-_]?/i.test(token) && /\d|[a-z][A-Z]/.test(token)) ||
    /__[A-Za-z0-9_-]{5,}$/.test(token) ||
    // A hash-like segment: 5+ letters and digits with at least two digits (x1b2c3, a9Fk2).
    /(^|[-_])(?=[A-Za-z0-9]*\d[A-Za-z0-9]*\d)(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]{5,}($|[-_])/.test(token) ||
    // Mixed case with a digit inside one word (styled-components' sc-bdVaJa, Tailwind JIT hashes).
    /[a-z][A-Z][a-zA-Z]*\d|\d[a-zA-Z]*[a-z][A-Z]/.test(token)
  );
}

const ident = (s: string): string => s.replace(/[^\w-]/g, (c) => `\\${c}`);
const str = (s: string): string => `"${s.replace(/["\\]/g, (c) => `\\${c}`)}"`;
const plain = (v: string): boolean => !!v && v.length <= 80 && !/[\u0000-\u001f]/.test(v);

/** The element's own selectors, most robust first (not yet checked for uniqueness). */
export function ownCandidates(el: Element): string[] {
  const tag = el.localName;
  const out: string[] = [];
  const id = el.getAttribute("id");
  if (id && !looksGenerated(id)) out.push(`#${ident(id)}`);
  for (const name of DATA_ATTRS) {
    const v = el.getAttribute(name);
    if (v && plain(v) && !looksGenerated(v)) out.push(`[${name}=${str(v)}]`);
  }
  for (const { name, value } of Array.from(el.attributes)) {
    if (name.startsWith("data-") && !DATA_ATTRS.includes(name) && !STATE_ATTR.test(name) && plain(value) && value.length <= 40 && !looksGenerated(value)) {
      out.push(`${tag}[${name}=${str(value)}]`);
    }
  }
  const name = el.getAttribute("name");
  if (name && plain(name) && !looksGenerated(name)) out.push(`${tag}[name=${str(name)}]`);
  const classes = Array.from(el.classList).filter((c) => !STATE.test(c) && !looksGenerated(c)).slice(0, 4);
  for (const c of classes) out.push(`${tag}.${ident(c)}`);
  for (let i = 0; i < classes.length; i++) for (let j = i + 1; j < classes.length; j++) out.push(`${tag}.${ident(classes[i])}.${ident(classes[j])}`);
  const label = el.getAttribute("aria-label");
  if (label && plain(label)) out.push(`${tag}[aria-label=${str(label)}]`);
  return out;
}

const TEXTUAL = /^(p|span|strong|em|b|i|small|code|label|img|svg|path|use|h[1-6])$/;
const named = (el: Element): boolean => {
  const id = el.getAttribute("id");
  return (!!id && !looksGenerated(id)) || DATA_ATTRS.some((n) => el.hasAttribute(n));
};

/**
 * What a click means: text or an icon inside a named element (an id or a test
 * attribute, at most two levels up) picks that element, as an author pointing
 * at a card's title means the card; anything else is picked as it is.
 */
export function pickable(el: Element): Element {
  if (TEXTUAL.test(el.localName) && !named(el)) {
    let up = el.parentElement;
    for (let depth = 0; up && depth < 2 && up !== el.ownerDocument.body; depth++, up = up.parentElement) if (named(up)) return up;
  }
  return el;
}

export function selectorFor(el: Element): string | null {
  const doc = el.ownerDocument;
  const matches = (sel: string): NodeListOf<Element> | [] => {
    try {
      return doc.querySelectorAll(sel);
    } catch {
      return []; // not valid CSS in this browser
    }
  };
  const unique = (sel: string): boolean => {
    const found = matches(sel);
    return found.length === 1 && found[0] === el;
  };
  const own = ownCandidates(el);
  const mine = own.find(unique);
  if (mine) return mine;

  const tag = el.localName;
  const siblings = el.parentElement ? Array.from(el.parentElement.children).filter((c) => c.localName === tag) : [el];
  const nth = `${tag}:nth-of-type(${siblings.indexOf(el) + 1})`;
  let anchor = el.parentElement;
  for (let depth = 0; anchor && depth < 5; depth++, anchor = anchor.parentElement) {
    const isBody = anchor === doc.body;
    const a = isBody ? "body" : ownCandidates(anchor).find((s) => matches(s).length === 1);
    if (!a) continue;
    const child = anchor === el.parentElement;
    for (const c of [...own, tag]) {
      if (unique(`${a} ${c}`)) return `${a} ${c}`;
      if (child && unique(`${a} > ${c}`)) return `${a} > ${c}`;
    }
    if (child && unique(`${a} > ${nth}`)) return `${a} > ${nth}`;
    if (unique(`${a} ${nth}`)) return `${a} ${nth}`;
    if (isBody) break;
  }
  return null;
}
