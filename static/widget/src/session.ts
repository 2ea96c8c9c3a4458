import { createClient } from "./client";
import { mergeStrings, type Strings } from "./i18n";
import { encode } from "./json";
import { pageUrl } from "./page";
import type { Account, Parts, Session, User } from "./parts";
import type { Stored } from "./storage";
import type { Client } from "./transport";
import type { StoreChanges } from "./store";
import type { Ack, BootstrapResponse, EnvelopeType, GuideError } from "./types";
import { uuid } from "./uuid";

/**
 * Who the widget speaks for and in what order: identify and group coalesce
 * into one bootstrap, a newer identity's answer wins, envelopes wait until
 * there is a server and a user, and each user's envelopes stay theirs.
 */
export function createSession(w: Pick<Parts, "win_" | "store_" | "ui_" | "events_" | "report_" | "deps_" | "booted_" | "author_" | "nudges_" | "director_">): Session {
  const { win_: win, store_: store, events_: events, report_: report } = w;
  // Envelopes sent before there is a server and a user to send them for, in order.
  const early: Array<(client: Client) => void> = [];
  let app: { appKey: string; server: string } | null = null;
  let client: Client | null = null;
  let user: User | null = null;
  let account: Account | undefined;
  let data: BootstrapResponse | null = null;
  /** Server, app key and user: whose envelopes these are (client.ts never mixes users). */
  let scope = "";
  let booted = "";
  let seq = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let destroyed = false;

  const strings = (): Strings => mergeStrings(data?.strings);
  const identity = (): string => encode([user, account]);
  // Guides counted as shown (`$guide_shown`) on this page for this user: once each.
  const shown = new Set<unknown>();
  const track = (name: string, props?: Record<string, unknown>, view?: boolean): void =>
    void ((name !== "$guide_shown" || shown.size < shown.add(props!.guide).size) &&
      send("event:track", { name, ...(props ? { props } : {}), url: pageUrl(win.location) }, view));

  function emitChanges(changes: StoreChanges): void {
    for (const guide of changes.changed_) {
      const p = store.get_(guide);
      const total = p?.total ?? data?.guides.find((g) => g.key === guide)?.steps.length ?? 0;
      if (p) events.emit_("progress", { guide, state: p.state, completed: [...p.completed], total });
    }
    changes.completed_.forEach((c) => events.emit_("step:completed", c));
    changes.guidesCompleted_.forEach((guide) => events.emit_("guide:completed", { guide }));
    w.director_.changed_(changes.changed_);
  }

  function send(type: EnvelopeType, payload: Record<string, unknown>, view?: boolean): Promise<Ack> {
    const envelope = { id: uuid(), ...payload, at: new Date().toISOString() };
    // A previewed draft's progress stays in this page: its steps may not exist in the published
    // version, and a preview must not change the author's real progress or count as a user's
    // view, answer or click: nothing naming the draft (its events' props too) leaves the page.
    const draft = w.author_.draft_();
    if (draft && Object.values((type === "event:track" ? payload.props : payload) ?? {}).includes(draft)) return Promise.resolve({ ok: true });
    if (client && scope) return client.send_(type, envelope, view);
    return new Promise<Ack>((resolve) => early.push((c) => void c.send_(type, envelope, view).then(resolve)));
  }

  /** Every envelope's outcome, this page's and those an earlier page left in storage. */
  function settled(rec: Stored, ack: Ack): void {
    if (destroyed || rec.scope !== scope) return;
    if (ack.ok) {
      // Merge before dropping the optimistic mark, so the step never flickers back.
      const changes = store.apply_(ack.progress, ack.completed);
      store.settle_(rec.id);
      emitChanges(changes);
      return;
    }
    store.settle_(rec.id);
    if (rec.type === "step:complete") w.ui_.setError_(String(rec.data.guide), String(rec.data.step), strings().save_failed);
    // Overflow is reported once per burst by the client, not once per envelope.
    if (ack.error.code !== "queue_overflow") report(ack.error);
  }

  /** Steps completed but not yet acknowledged (maybe by a page before a reload) show as done. */
  function optimisticFrom(recs: Stored[]): void {
    for (const r of recs) if (r.type === "step:complete") store.optimistic_(r.id, String(r.data.guide), String(r.data.step));
  }

  /** Whose envelopes new sends are; loads what this user's earlier pages left unacknowledged. */
  function useScope(): void {
    if (!client || !app || !user) return;
    const next = encode([app.server, app.appKey, user.id]);
    if (next === scope) return;
    // Another user signed in here: the previous user's nudges go with them.
    if (scope) w.nudges_.clear_();
    shown.clear();
    scope = next;
    const c = client;
    void c.use_(next).then((recs) => scope === next && !destroyed && optimisticFrom(recs));
    early.splice(0).forEach((fn) => fn(c));
  }

  function schedule(): void {
    if (!app || !user || destroyed) return;
    // Coalesces identify + group replayed from the stub queue into one request.
    clearTimeout(timer);
    timer = setTimeout(() => void bootstrap(), 0);
  }

  const scheduleIfNew = (): void => void (identity() !== booted && schedule());

  async function bootstrap(): Promise<void> {
    if (!app || !user || !client) return;
    const mine = ++seq;
    const who = identity();
    const forScope = scope;
    const preview = w.author_.token_();
    let res: BootstrapResponse;
    try {
      res = await client.bootstrap_({
        app: app.appKey,
        user: { id: user.id, traits: user.traits },
        account,
        token: user.token,
        url: pageUrl(win.location),
        locale: win.navigator?.language || "en",
        ...(preview ? { preview } : {}),
      });
    } catch (err) {
      const e = err as GuideError;
      if (mine !== seq || destroyed) return;
      // Over the server's bootstrap limit (PROTOCOL.md section 1): again when it says.
      if (e.code === "rate_limited") timer = setTimeout(schedule, Number(e.retry_after) * 1000 || 1000);
      else report(e);
      return;
    }
    // A newer identify may have started (or scheduled) another bootstrap meanwhile; its answer wins.
    if (mine !== seq || destroyed || who !== identity() || forScope !== scope) return;
    w.author_.seen_(res.preview);
    const fresh = who !== booted;
    const switched = fresh && booted !== "";
    booted = who;
    data = { ...res, guides: Array.isArray(res.guides) ? res.guides : [] };
    if (fresh) {
      store.reset_(res.progress ?? {});
      optimisticFrom(client.pending_());
    } else emitChanges(store.apply_(res.progress ?? {}));
    client.connect_(res.socket, switched, scope);
    if (fresh) {
      track("$page");
      events.emit_("ready", { user: res.user, guides: data.guides.map((g) => g.key) });
    }
    w.booted_();
  }

  return {
    get data_() {
      return data;
    },
    strings_: strings,
    client_: () => client,
    init_(appKey, server) {
      app = { appKey, server };
      client = createClient(server, w.deps_, {
        progress_: (progress) => emitChanges(store.apply_(progress)),
        guidesChanged_: schedule,
        tokenExpired_: schedule,
        error_: report,
        settled_: settled,
        nudge_: (n) => w.nudges_.add_(n),
      });
      useScope();
      schedule();
    },
    identify_(next) {
      user = next;
      useScope();
      scheduleIfNew();
    },
    group_(next) {
      account = next;
      scheduleIfNew();
    },
    send_: send,
    track_: track,
    markDone_(guide, step) {
      if (!client || store.isDone_(guide, step)) return;
      const id = uuid();
      store.optimistic_(id, guide, step);
      void send("step:complete", { id, guide, step });
    },
    refresh_(restart) {
      if (restart) booted = "";
      schedule();
    },
    destroy_() {
      destroyed = true;
      clearTimeout(timer);
      client?.destroy_();
    },
  };
}
