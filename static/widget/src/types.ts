// Shapes from docs/PROTOCOL.md. Keep these in step with the server's schemas.

export type GuideState = "not_started" | "active" | "completed" | "dismissed" | "snoozed";

export interface Progress {
  state: GuideState;
  step?: string | null;
  completed: string[];
  total?: number;
  started_at?: string | null;
  completed_at?: string | null;
  updated_at?: string | null;
  snoozed_until?: string | null;
  /** Tours: whether the tour may start on its own now (repeat, dismissal, snooze). Missing means true. */
  autostart?: boolean;
  /** Plans: due time (ISO 8601) of each step that has one. */
  due?: Record<string, string>;
  /** Plans: steps past their due time and not done (server-computed). */
  overdue?: string[];
}

export type ProgressMap = Record<string, Progress>;

/** `url` opens a page; `tour` starts that tour. */
export interface StepAction {
  label: string;
  url?: string;
  tour?: string;
}

export interface CompleteWhen {
  type: "manual" | "event" | "url" | "tour";
  event?: string;
  url?: string;
  tour?: string;
}

export interface Step {
  id: string;
  title: string;
  body_html?: string;
  action?: StepAction | null;
  complete_when: CompleteWhen;
  scope?: "user" | "account";
  /** Key of the help article behind the step's "Stuck?". */
  help?: string;
  /** Plans: which side does the step; vendor steps are completed by the vendor's team, never here. */
  owner?: "customer" | "vendor";
  assignee?: string | null;
  /** The author asked "Was this helpful?" under it. */
  helpful?: boolean;
}

export interface Guide {
  key: string;
  kind: string;
  version?: number;
  title: string;
  priority?: number;
  milestone?: string | null;
  steps: Step[];
}

export interface AdvanceOn {
  type: "next" | "click" | "input" | "url" | "event";
  url?: string;
  event?: string;
}

/** A tour step as bootstrap sends it: every default already filled by the server. */
export interface TourStep {
  id: string;
  title: string;
  body_html?: string;
  target: string | null;
  placement: string;
  advance_on: AdvanceOn;
  page: string | null;
  wait_ms: number;
  on_missing: "skip" | "center";
  spotlight: boolean;
  buttons: string[];
  help?: string;
  /** On the last step: "Was this helpful?" at the tour's end. */
  helpful?: boolean;
}

export interface Tour {
  key: string;
  kind: "tour";
  version?: number;
  title: string;
  priority?: number;
  start: { url: string } | null;
  repeat?: unknown;
  snooze_days?: number;
  steps: TourStep[];
}

export interface Theme {
  accent?: unknown;
  background?: unknown;
  text?: unknown;
  radius?: unknown;
  font?: unknown;
  launcher?: { position?: unknown; label?: unknown } | null;
  mode?: unknown;
  dark?: unknown;
}

export interface Workspace {
  name?: string;
  locale?: string;
  theme?: Theme | null;
  support_url?: string | null;
  help_enabled?: boolean;
}

export interface SocketInfo {
  namespace?: string;
  path?: string;
  token: string;
  expires_in?: number;
}

export interface BootstrapRequest {
  app: string;
  user: { id: string; traits?: Record<string, unknown> };
  account?: { id: string; traits?: Record<string, unknown> };
  token: string | null;
  url: string;
  locale: string;
  /** An author's preview token (docs/AUTHORING.md). */
  preview?: string;
}

export interface BootstrapResponse {
  user: { id: string; locale?: string };
  workspace: Workspace;
  guides: Guide[];
  progress: ProgressMap;
  socket: SocketInfo;
  /** The widget's own words in the user's locale (see i18n.ts for the keys). */
  strings?: Record<string, string>;
  /** Surveys the user's audience takes here (docs/SURVEYS.md section 2); at most one `due`. */
  surveys?: import("./survey/contract").Survey[];
  /** Issue #15 (docs/SURVEYS.md): announcements, hotspots, tooltips (the messages bundle). */
  announcements?: import("./messages/contract").Message[];
  announcements_unread?: number;
  hotspots?: import("./messages/contract").Message[];
  tooltips?: import("./messages/contract").Message[];
  /** Present when the bootstrap carried a preview token. */
  preview?: import("./author/contract").PreviewInfo;
}

export interface GuideError {
  code: string;
  message: string;
  fields?: Record<string, string[]>;
  /** `rate_limited`: seconds to wait before sending again. */
  retry_after?: number;
  /** `queue_overflow`: how many waiting envelopes were dropped. */
  count?: number;
}

/**
 * A message from the server (PROTOCOL.md section 2): support changed the status
 * of one of the user's escalations, or a scenario fired. `guide` (and `step`)
 * say what "Show me" opens; `mode: "start"` opens it without a card.
 */
export interface Nudge {
  id: number | string;
  message: string;
  title?: string;
  guide?: string;
  step?: string;
  mode?: "card" | "start";
  scenario?: string;
  reference?: string;
  status?: string;
}

export interface Completion {
  guide: string;
  step: string;
}

export type Ack =
  | {
      ok: true;
      id?: string;
      duplicate?: boolean;
      progress?: ProgressMap;
      completed?: Completion[];
      /** help:escalate only. */
      reference?: string;
      status?: string;
      support_url?: string | null;
    }
  | { ok: false; id?: string; error: GuideError };

export type EnvelopeType = "step:complete" | "guide:state" | "event:track" | "help:escalate" | "survey:answer" | "feedback:helpful";

export interface Envelope {
  type: EnvelopeType;
  data: { id: string } & Record<string, unknown>;
}

/** Events a host page can subscribe to with `Guide.on`. */
export interface GuideEvents {
  ready: { user: { id: string; locale?: string }; guides: string[] };
  progress: { guide: string; state: GuideState; completed: string[]; total: number };
  "step:completed": Completion;
  "guide:completed": { guide: string };
  /** A tour step was shown (`index` counts from 0). */
  "tour:step": { guide: string; step: string; index: number; total: number };
  /** A nudge arrived (support answered an escalation, or a scenario fired); once per id. */
  nudge: Nudge;
  /** A tour ended here: finished, dismissed ("Skip tour", Esc) or snoozed ("Later"). */
  "tour:end": { guide: string; state: "completed" | "dismissed" | "snoozed" };
  error: GuideError;
}

export type GuideEventName = keyof GuideEvents;
