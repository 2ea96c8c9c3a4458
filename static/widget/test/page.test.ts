import { afterEach, describe, expect, it, vi } from "vitest";
import { pageUrl, watchPage } from "../src/page";

const tick = () => new Promise((r) => setTimeout(r, 0));
let stop: (() => void) | undefined;
afterEach(() => {
  stop?.();
  stop = undefined;
  history.replaceState(null, "", "/");
});

describe("page tracking", () => {
  it("reports path and query, never origin or fragment", () => {
    expect(pageUrl({ pathname: "/app/dashboard", search: "?tab=1" })).toBe("/app/dashboard?tab=1");
    expect(pageUrl({ pathname: "/", search: "" })).toBe("/");
  });

  it("reports pushState, replaceState and popstate navigations once each", async () => {
    const seen: string[] = [];
    stop = watchPage(window, (url) => seen.push(url));
    history.pushState({}, "", "/app/one?x=1");
    await tick();
    history.replaceState({ other: true }, "", "/app/one?x=1"); // same URL: not a page view
    await tick();
    history.replaceState({}, "", "/app/two");
    await tick();
    history.pushState({}, "", "/app/three");
    await tick();
    window.dispatchEvent(new PopStateEvent("popstate"));
    await tick();
    expect(seen).toEqual(["/app/one?x=1", "/app/two", "/app/three"]);
  });

  it("reports hash navigations", async () => {
    const seen: string[] = [];
    stop = watchPage(window, (url) => seen.push(url));
    location.hash = "#/settings";
    window.dispatchEvent(new HashChangeEvent("hashchange"));
    await tick();
    expect(seen).toEqual(["/"]);
  });

  it("chains with other patches and never breaks them on teardown", async () => {
    const original = history.pushState;
    const seen: string[] = [];
    const ours = watchPage(window, (url) => seen.push(url));
    const router = vi.fn();
    const mine = history.pushState;
    // Another library patches on top of ours.
    history.pushState = function (this: History, ...args: Parameters<History["pushState"]>) {
      router(args[2]);
      return mine.apply(this, args);
    };
    const theirs = history.pushState;
    ours();
    expect(history.pushState).toBe(theirs); // not clobbered
    history.pushState({}, "", "/after-teardown");
    await tick();
    expect(router).toHaveBeenCalledWith("/after-teardown");
    expect(location.pathname).toBe("/after-teardown");
    expect(seen).toEqual([]); // our wrapper went inert
    history.pushState = original;
  });

  it("restores the original methods when nobody patched over it", () => {
    const push = history.pushState;
    const replace = history.replaceState;
    watchPage(window, () => {})();
    expect(history.pushState).toBe(push);
    expect(history.replaceState).toBe(replace);
  });
});

describe("Navigation API", () => {
  it("reports navigations it sees once, without double-firing with the history wrappers", async () => {
    const navigation = new EventTarget();
    (window as unknown as { navigation?: EventTarget }).navigation = navigation;
    try {
      const seen: string[] = [];
      stop = watchPage(window, (url) => seen.push(url));
      history.pushState({}, "", "/nav/one");
      navigation.dispatchEvent(new Event("navigatesuccess"));
      await tick();
      // A router calling navigation.navigate() changes the URL without touching history methods.
      History.prototype.replaceState.call(history, {}, "", "/nav/two");
      navigation.dispatchEvent(new Event("navigatesuccess"));
      await tick();
      expect(seen).toEqual(["/nav/one", "/nav/two"]);
      stop();
      stop = undefined;
      history.pushState({}, "", "/nav/three");
      navigation.dispatchEvent(new Event("navigatesuccess"));
      await tick();
      expect(seen).toEqual(["/nav/one", "/nav/two"]); // listener removed on teardown
    } finally {
      delete (window as unknown as { navigation?: EventTarget }).navigation;
    }
  });
});
