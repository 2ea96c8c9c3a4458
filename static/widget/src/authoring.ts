/**
 * The main bundle's part of preview and pick (docs/AUTHORING.md): read the
 * admin's token from the page URL (query or fragment), take it out of the URL,
 * and keep it for this tab, so navigating the product stays in preview.
 * Everything else lives in dist/author.js, loaded only for authors.
 */
export type AuthorParam = "guide_preview" | "guide_pick";

export function authorToken(win: Window, name: AuthorParam): string | null {
  const key = `guide.${name}`;
  try {
    const url = new URL(win.location.href);
    const hash = new URLSearchParams(url.hash.slice(1));
    const token = url.searchParams.get(name) || hash.get(name);
    if (token) {
      url.searchParams.delete(name);
      if (hash.has(name)) {
        hash.delete(name);
        url.hash = String(hash);
      }
      win.history.replaceState(win.history.state, "", url.pathname + url.search + url.hash);
      win.sessionStorage.setItem(key, token);
    }
    return token || win.sessionStorage.getItem(key);
  } catch {
    return null; // storage blocked: no preview
  }
}

export function forgetToken(win: Window, name: AuthorParam): void {
  try {
    win.sessionStorage.removeItem(`guide.${name}`);
  } catch {
    // nothing stored
  }
}
