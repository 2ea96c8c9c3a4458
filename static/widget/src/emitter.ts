export type Listener<T> = (payload: T) => void;

export interface Emitter<M> {
  on_<K extends keyof M>(event: K, fn: Listener<M[K]>): void;
  off_<K extends keyof M>(event: K, fn?: Listener<M[K]>): void;
  emit_<K extends keyof M>(event: K, payload: M[K]): void;
  clear_(): void;
}

/**
 * `onListenerError` exists because a host page's callback that throws must not
 * stop the other listeners or bubble into our own code paths. A listener added
 * after the `sticky` event happened hears its latest payload at once: a product
 * script that loads after the widget became ready still learns it is.
 */
export function createEmitter<M>(onListenerError: (err: unknown) => void, sticky?: keyof M): Emitter<M> {
  const listeners = new Map<keyof M, Set<Listener<never>>>();
  let last: { p: unknown } | undefined;
  const call = (fn: Listener<never>, payload: unknown): void => {
    try {
      (fn as Listener<unknown>)(payload);
    } catch (err) {
      onListenerError(err);
    }
  };
  return {
    on_(event, fn) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(fn as Listener<never>);
      if (event === sticky && last) call(fn as Listener<never>, last.p);
    },
    off_(event, fn) {
      if (fn) listeners.get(event)?.delete(fn as Listener<never>);
      else listeners.delete(event);
    },
    emit_(event, payload) {
      if (event === sticky) last = { p: payload };
      // Copy first: a listener may call off() on itself while we iterate.
      for (const fn of [...(listeners.get(event) ?? [])]) call(fn, payload);
    },
    clear_() {
      listeners.clear();
      last = undefined;
    },
  };
}
