/**
 * The widget's own words (buttons, counts). The server sends them already
 * localized at bootstrap (`strings`); these English defaults fill any gap, so an
 * older server or a missing key never leaves a button blank.
 */
export const DEFAULT_STRINGS = {
  launcher_name: "Onboarding checklist",
  get_started: "Get started",
  steps_done: "{done} of {total} steps done",
  mark_done: "Mark done",
  open: "Open",
  close: "Close",
  checklists: "Checklists",
  all_done: "All done! You have completed every step.",
  need_help: "Need help?",
  done_suffix: "(done)",
  save_failed: "Could not save this step. Please try again.",
  not_saved: "Not saved yet",
  back: "Back",
  next: "Next",
  done: "Done",
  skip_tour: "Skip tour",
  later: "Later",
  step_of: "{current} of {total}",
  help: "Help",
  help_search: "Search help articles",
  help_empty: "No articles found.",
  help_error: "Could not load help. Please try again.",
  contact_support: "Contact support",
  help_about: "About: {step}",
  help_message: "What do you need help with?",
  help_severity: "How much is this blocking you?",
  severity_blocked: "I am blocked",
  severity_question: "Just a question",
  send: "Send",
  help_sending: "Sending\u2026",
  help_queued: "Saved. It will be sent as soon as you are back online.",
  help_sent: "Thanks! Support has your request.",
  help_reference: "Reference: {reference}",
  help_desk: "Continue on the help desk",
  help_send_failed: "Could not send your request. Please try again.",
  stuck: "Stuck?",
  dismiss: "Dismiss",
  nudge_open: "Show me",
  plan_vendor: "{name} team",
  plan_customer: "Your team",
  plan_assignee: "Assigned to {name}",
  plan_due: "Due {date}",
  plan_overdue: "Overdue",
};

export type Strings = typeof DEFAULT_STRINGS;

/** Server strings over the defaults; only known keys with string values are taken. */
export function mergeStrings(server: unknown): Strings {
  const out = { ...DEFAULT_STRINGS };
  if (server && typeof server === "object") {
    for (const key of Object.keys(out) as Array<keyof Strings>) {
      const value = (server as Record<string, unknown>)[key];
      if (typeof value === "string" && value) out[key] = value;
    }
  }
  return out;
}

/** `{name}` placeholders filled from `vars`; unknown placeholders stay as written. */
export function fmt(template: string, vars: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}
