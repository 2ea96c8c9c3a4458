import type { Nudges, Parts } from "./parts";
import type { Nudge } from "./types";

/**
 * The nudge queue (docs/PROTOCOL.md section 6): one card at a time, never
 * over a tour. `mode: "start"` opens its guide without a card; a guide that
 * does not apply here leaves the message alone, without "Show me".
 */
export function createNudges(w: Pick<Parts, "ui_" | "events_" | "session_" | "director_" | "start_">): Nudges {
  const { ui_: ui } = w;
  const seen = new Set<string>();
  // Cards counted as shown (`$nudge_shown`): one stepping aside for a tour is not shown again.
  const shown = new Set<Nudge>();
  // Nudges wait here while a tour shows or another card is up.
  const waiting: Nudge[] = [];
  let card: Nudge | null = null;
  let destroyed = false;

  const hide = (): void => {
    card = null;
    ui.nudge_(null);
  };

  function pump(): void {
    const data = w.session_.data_;
    if (card || destroyed || !data || w.director_.showing_()) return;
    const n = waiting.shift();
    if (!n) return;
    const known = !!n.guide && data.guides.some((g) => g.key === n.guide);
    if (known && n.mode === "start") {
      if (!w.start_(n.guide!, n.step)) pump();
      return;
    }
    card = n;
    ui.nudge_(n, known);
    if (shown.size < shown.add(n).size) w.session_.track_("$nudge_shown", { nudge: n.id, scenario: n.scenario ?? null }, true);
  }

  return {
    add_(n) {
      const key = String(n.id);
      if (destroyed || seen.has(key)) return;
      seen.add(key);
      waiting.push(n);
      w.events_.emit_("nudge", n);
      pump();
    },
    answer_(open) {
      const n = card!;
      hide();
      w.session_.track_(open ? "$nudge_opened" : "$nudge_dismissed", { nudge: n.id, scenario: n.scenario ?? null });
      // A tour started here: the next nudge waits for it (tour:end).
      if (!(open && w.start_(n.guide!, n.step))) pump();
    },
    aside_() {
      if (!card) return;
      waiting.unshift(card);
      hide();
    },
    pump_: pump,
    clear_() {
      waiting.length = 0;
      hide();
    },
    destroy_() {
      destroyed = true;
    },
  };
}
