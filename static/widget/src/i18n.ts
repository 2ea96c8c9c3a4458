/** The keys of the widget's own words (buttons, counts). */
export type StringKey =
  | "launcher_name"
  | "get_started"
  | "steps_done"
  | "mark_done"
  | "open"
  | "close"
  | "checklists"
  | "all_done"
  | "need_help"
  | "done_suffix"
  | "save_failed"
  | "not_saved"
  | "back"
  | "next"
  | "done"
  | "skip_tour"
  | "later"
  | "step_of"
  | "help"
  | "help_search"
  | "help_empty"
  | "help_error"
  | "contact_support"
  | "help_about"
  | "help_message"
  | "help_severity"
  | "severity_blocked"
  | "severity_question"
  | "send"
  | "help_sending"
  | "help_queued"
  | "help_sent"
  | "help_reference"
  | "help_desk"
  | "help_send_failed"
  | "stuck"
  | "dismiss"
  | "nudge_open"
  | "plan_vendor"
  | "plan_customer"
  | "plan_assignee"
  | "plan_due"
  | "plan_overdue"
  | "survey_send"
  | "survey_thanks"
  | "survey_required"
  | "survey_max"
  | "helpful"
  | "yes"
  | "no"
  | "helpful_comment"
  | "helpful_thanks"
  | "unread_one"
  | "unread_other";

export type Strings = Record<StringKey, string>;

/**
 * The widget's own words as the server sent them at bootstrap (`strings`),
 * already in the user's locale: guide/services/strings.py is their one
 * source, so the bundle carries no copy. A key the server did not send (an
 * older server) reads as its own name ("mark done"), never as a blank button.
 */
export function mergeStrings(server: unknown): Strings {
  const words = (server && typeof server === "object" ? server : {}) as Record<string, unknown>;
  return new Proxy({} as Strings, {
    get: (_, key) => {
      const word = Object.prototype.hasOwnProperty.call(words, key) ? words[key as string] : null;
      return typeof word === "string" && word ? word : String(key).replace(/_/g, " ");
    },
  });
}

/** `{name}` placeholders filled from `vars`; unknown placeholders stay as written. */
export function fmt(template: string, vars: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}
