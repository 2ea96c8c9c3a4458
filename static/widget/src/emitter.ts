export type Listener<T> = (payload: T) => void;

export interface Emitter<M> {
  on<K extends keyof M>(event: K, fn: Listener<M[K]>): void;
  off<K extends keyof M>(event: K, fn?: Listener<M[K]>): void;
  emit<K extends keyof M>(event: K, payload: M[K]): void;
  clear(): void;
}

/**
 * `onListenerError` exists because a host page's callback that throws must not
 * stop the other listeners or bubble into our own code paths.
 */
export function createEmitter<M>(onListenerError: (err: unknown) => void): Emitter<M> {
  const listeners = new Map<keyof M, Set<Listener<never>>>();
  return {
    on(event, fn) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(fn as Listener<never>);
    },
    off(event, fn) {
      if (fn) listeners.get(event)?.delete(fn as Listener<never>);
      else listeners.delete(event);
    },
    emit(event, payload) {
      // Copy first: a listener may call off() on itself while we iterate.
      for (const fn of [...(listeners.get(event) ?? [])]) {
        try {
          (fn as Listener<typeof payload>)(payload);
        } catch (err) {
          onListenerError(err);
        }
      }
    },
    clear() {
      listeners.clear();
    },
  };
}
