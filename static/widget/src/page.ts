/** The `url` the protocol wants: path and query, no origin, no fragment. */
export function pageUrl(loc: Pick<Location, "pathname" | "search">): string {
  return loc.pathname + loc.search;
}

type HistoryMethod = "pushState" | "replaceState";

/**
 * Calls `onChange(url)` after every SPA navigation. history methods are
 * wrapped, not replaced: the wrapper calls whatever was there before (a
 * router's or another tool's patch). On teardown the original is restored
 * only if nobody patched over us; otherwise the wrapper stays but goes inert,
 * so their patch keeps working. Reports are deduplicated on the full href, so
 * a replaceState that only changes `state` is not a page view, and the
 * Navigation API's `navigatesuccess` (where the browser has it: it also sees
 * navigations no wrapper can, such as a router calling navigation.navigate())
 * never double-fires with the history wrappers.
 */
export function watchPage(win: Window, onChange: (url: string) => void): () => void {
  let active = true;
  let last = win.location.href;
  const check = (): void => {
    if (!active || win.location.href === last) return;
    last = win.location.href;
    onChange(pageUrl(win.location));
  };
  const restorers = (["pushState", "replaceState"] as HistoryMethod[]).map((name) => {
    const original = win.history[name];
    const wrapper = function (this: History, ...args: Parameters<History["pushState"]>) {
      const result = original.apply(this, args);
      // After the router's own code has run, so we report the final URL.
      Promise.resolve().then(check);
      return result;
    };
    win.history[name] = wrapper;
    return () => {
      if (win.history[name] === wrapper) win.history[name] = original;
    };
  });
  const nav = (win as Window & { navigation?: EventTarget }).navigation;
  win.addEventListener("popstate", check);
  win.addEventListener("hashchange", check);
  nav?.addEventListener?.("navigatesuccess", check);
  return () => {
    active = false;
    restorers.forEach((restore) => restore());
    win.removeEventListener("popstate", check);
    win.removeEventListener("hashchange", check);
    nav?.removeEventListener?.("navigatesuccess", check);
  };
}
