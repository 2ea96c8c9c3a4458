// Entry of dist/survey.js, the lazily loaded survey card: it only hands its
// factory to the main bundle (which loads it when a survey is about to show).
import { SURVEY_GLOBAL } from "./contract";
import { createSurveyCard } from "./card";

(window as unknown as Record<string, unknown>)[SURVEY_GLOBAL] = createSurveyCard;
