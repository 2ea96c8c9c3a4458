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
export function createSession(w: Pick<Parts, "win" | "store" | "ui" | "events" | "report" | "deps" | "booted" | "author" | "nudges" | "director">): Session {
  const { win, store, events, report } = w;
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
  const track = (name: string, props?: Record<string, unknown>): void =>
    void send("event:track", { name, ...(props ? { props } : {}), url: pageUrl(win.location) });

  function emitChanges(changes: StoreChanges): void {
    for (const guide of changes.changed) {
      const p = store.get(guide);
      const total = p?.total ?? data?.guides.find((g) => g.key === guide)?.steps.length ?? 0;
      if (p) events.emit("progress", { guide, state: p.state, completed: [...p.completed], total });
    }
    changes.completed.forEach((c) => events.emit("step:completed", c));
    changes.guidesCompleted.forEach((guide) => events.emit("guide:completed", { guide }));
    w.director.changed(changes.changed);
  }

  function send(type: EnvelopeType, payload: Record<string, unknown>): Promise<Ack> {
    const envelope = { id: uuid(), ...payload, at: new Date().toISOString() };
    // A previewed draft's progress stays in this page: its steps may not exist in the
    // published version, and a preview must not change the author's real progress.
    const draft = w.author.draft();
    if (draft && payload.guide === draft && type !== "event:track") return Promise.resolve({ ok: true });
    if (client && scope) return client.send(type, envelope);
    return new Promise<Ack>((resolve) => early.push((c) => void c.send(type, envelope).then(resolve)));
  }

  /** Every envelope's outcome, this page's and those an earlier page left in storage. */
  function settled(rec: Stored, ack: Ack): void {
    if (destroyed || rec.scope !== scope) return;
    if (ack.ok) {
      // Merge before dropping the optimistic mark, so the step never flickers back.
      const changes = store.apply(ack.progress, ack.completed);
      store.settle(rec.id);
      emitChanges(changes);
      return;
    }
    store.settle(rec.id);
    if (rec.type === "step:complete") w.ui.setError(String(rec.data.guide), String(rec.data.step), strings().save_failed);
    // Overflow is reported once per burst by the client, not once per envelope.
    if (ack.error.code !== "queue_overflow") report(ack.error);
  }

  /** Steps completed but not yet acknowledged (maybe by a page before a reload) show as done. */
  function optimisticFrom(recs: Stored[]): void {
    for (const r of recs) if (r.type === "step:complete") store.optimistic(r.id, String(r.data.guide), String(r.data.step));
  }

  /** Whose envelopes new sends are; loads what this user's earlier pages left unacknowledged. */
  function useScope(): void {
    if (!client || !app || !user) return;
    const next = encode([app.server, app.appKey, user.id]);
    if (next === scope) return;
    // Another user signed in here: the previous user's nudges go with them.
    if (scope) w.nudges.clear();
    scope = next;
    const c = client;
    void c.use(next).then((recs) => scope === next && !destroyed && optimisticFrom(recs));
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
    const preview = w.author.token();
    let res: BootstrapResponse;
    try {
      res = await client.bootstrap({
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
    w.author.seen(res.preview);
    const fresh = who !== booted;
    const switched = fresh && booted !== "";
    booted = who;
    data = { ...res, guides: Array.isArray(res.guides) ? res.guides : [] };
    if (fresh) {
      store.reset(res.progress ?? {});
      optimisticFrom(client.pending());
    } else emitChanges(store.apply(res.progress ?? {}));
    client.connect(res.socket, switched, scope);
    if (fresh) {
      track("$page");
      events.emit("ready", { user: res.user, guides: data.guides.map((g) => g.key) });
    }
    w.booted();
  }

  return {
    data: () => data,
    strings,
    client: () => client,
    init(appKey, server) {
      app = { appKey, server };
      client = createClient(server, w.deps, {
        progress: (progress) => emitChanges(store.apply(progress)),
        guidesChanged: schedule,
        tokenExpired: schedule,
        error: report,
        settled,
        nudge: (n) => w.nudges.add(n),
      });
      useScope();
      schedule();
    },
    identify(next) {
      user = next;
      useScope();
      scheduleIfNew();
    },
    group(next) {
      account = next;
      scheduleIfNew();
    },
    send,
    track,
    markDone(guide, step) {
      if (!client || store.isDone(guide, step)) return;
      const id = uuid();
      store.optimistic(id, guide, step);
      void send("step:complete", { id, guide, step });
    },
    refresh(restart) {
      if (restart) booted = "";
      schedule();
    },
    destroy() {
      destroyed = true;
      clearTimeout(timer);
      client?.destroy();
    },
  };
}
