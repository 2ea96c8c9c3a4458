import { h } from "./h";
import type { Parts, Surveys } from "./parts";
import { adoptStyles } from "./styles";
import type { Survey, SurveyCard, SurveyHost } from "./survey/contract";
import type { GuideError } from "./types";

export { SURVEY_GLOBAL } from "./survey/contract";

/**
 * The survey loader: after a bootstrap, the survey the server marked `due`
 * shows as a card from the lazily loaded dist/survey.js, once no tour is on
 * screen; `Guide.start(key)` shows any listed survey at once. Each survey
 * shows at most once per page.
 */
export function createSurveys(w: Pick<Parts, "win_" | "prefix_" | "ui_" | "report_" | "load_" | "session_" | "director_">): Surveys {
  const { session_: session } = w;
  const seen = new Set<string>();
  let card: Promise<SurveyCard> | null = null;
  let destroyed = false;
  const list = (): Survey[] => session.data_?.surveys ?? [];

  const host: SurveyHost = {
    doc: w.win_.document,
    h,
    prefix: w.prefix_,
    root: w.ui_.root_,
    style: (css) => void adoptStyles(w.ui_.root_(), css),
    t: session.strings_,
    track: session.track_,
    answer: (payload) => session.send_("survey:answer", payload),
    section: w.ui_.section_,
  };

  function show(survey: Survey, focus: boolean): void {
    seen.add(survey.key);
    card ??= w.load_.survey_().then((f) => f(host));
    card.then(
      (c) => !destroyed && c.show(survey, focus),
      (err) => {
        card = null; // offline: the next bootstrap or start tries again
        seen.delete(survey.key);
        w.report_(err as GuideError);
      },
    );
  }

  return {
    evaluate_() {
      // A running tour is not interrupted: the director calls again when it ends.
      if (w.director_.busy_()) return;
      const due = list().find((s) => s.due && !seen.has(s.key));
      if (due) show(due, false);
    },
    start_(key) {
      const survey = list().find((s) => s.key === key);
      if (survey) show(survey, true);
      return !!survey;
    },
    destroy_() {
      destroyed = true;
      card?.then((c) => c.destroy(), () => {});
    },
  };
}
