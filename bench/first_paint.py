"""First paint: the demo page in Chromium, from DOMContentLoaded to an interactive launcher.

    .venv/bin/python bench/first_paint.py [--cold 5] [--warm 10]

A `make demo` server (gunicorn, SQLite) and Debian's Chromium (headless, via
Playwright, never a downloaded browser). Each cold run is a new browser context
(empty cache) that signs a demo user in and lands on /demo/dashboard; each warm
run loads /demo/dashboard again in a context that has loaded it before
(``guide.js`` from the HTTP cache, the bootstrap always from the server).
The same loads with every widget request blocked give the page without the
widget.

In the page, an init script notes DOMContentLoaded and watches the widget's
shadow root (MutationObserver) for the launcher shown with its progress: the
moment it can be clicked and says something. The Chrome DevTools Protocol
gives each response's bytes on the wire (headers included) and encoding.

Writes bench/results/first_paint.json and the first-paint section of docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.identities import machine  # noqa: E402
from bench.search import save_results, write_section  # noqa: E402
from tests import live  # noqa: E402

CHROMIUM = "/usr/lib/chromium/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
RESULTS = live.ROOT / "bench" / "results" / "first_paint.json"
DOC = live.ROOT / "docs" / "BENCHMARKS.md"
DIST = live.ROOT / "static" / "widget" / "dist"
START, END = "<!-- bench:first-paint:start -->", "<!-- bench:first-paint:end -->"
USER = "grace"
STEPS = ("guide.js requested", "guide.js received", "bootstrap requested", "bootstrap received",
         "launcher shown")

WATCH = """
(() => {
  const t = window.__paint = {};
  document.addEventListener("DOMContentLoaded", () => { t.dcl = performance.now(); });
  const shown = () => {
    const root = document.getElementById("guide-root");
    const shadow = root && root.shadowRoot;
    const launcher = shadow && shadow.querySelector('[data-testid="guide-launcher"]');
    const progress = shadow && shadow.querySelector('[data-testid="guide-progress"]');
    return Boolean(launcher && !launcher.hidden && progress && progress.textContent);
  };
  const watched = new WeakSet();
  const observer = new MutationObserver(() => {
    const root = document.getElementById("guide-root");
    if (root && root.shadowRoot && !watched.has(root.shadowRoot)) {
      watched.add(root.shadowRoot);
      observer.observe(root.shadowRoot,
                       {subtree: true, childList: true, attributes: true, characterData: true});
    }
    if (!t.launcher && shown()) { t.launcher = performance.now(); observer.disconnect(); }
  });
  observer.observe(document, {subtree: true, childList: true});
})();
"""


class Wire:
    """Bytes received per response of one page load, from the DevTools protocol."""

    def __init__(self, context: Any, page: Any, widget: bool) -> None:
        self.responses: dict[str, dict[str, Any]] = {}
        cdp = context.new_cdp_session(page)
        cdp.on("Network.responseReceived", self._response)
        cdp.on("Network.loadingFinished", self._finished)
        cdp.send("Network.enable")
        if not widget:
            # Blocked here rather than with Playwright's routing, which turns the HTTP
            # cache off (warm loads would not be warm).
            cdp.send("Network.setBlockedURLs", {"urls": ["*/widget/*"]})

    def reset(self) -> None:
        """Count from here: the dashboard's load, not the sign-in page before it."""
        self.responses.clear()

    def _response(self, event: dict[str, Any]) -> None:
        response = event["response"]
        headers = {k.lower(): v for k, v in response.get("headers", {}).items()}
        self.responses[event["requestId"]] = {
            "url": response["url"], "cached": bool(response.get("fromDiskCache")
                                                   or response.get("fromMemoryCache")),
            "encoding": headers.get("content-encoding"), "bytes": 0,
            "body": int(headers.get("content-length") or 0)}

    def _finished(self, event: dict[str, Any]) -> None:
        if event["requestId"] in self.responses:
            self.responses[event["requestId"]]["bytes"] = int(event["encodedDataLength"])

    def widget(self) -> dict[str, dict[str, Any]]:
        """guide.js, the bootstrap and any other widget file, by short name."""
        out = {}
        for item in self.responses.values():
            path = item["url"].split("?")[0]
            if "/widget/" in path:
                out[path.rsplit("/", 1)[-1]] = item
        return out

    def total(self) -> int:
        return sum(item["bytes"] for item in self.responses.values())


def timings(page: Any) -> dict[str, float]:
    page.wait_for_load_state("load")
    nav = page.evaluate("""() => { const n = performance.getEntriesByType('navigation')[0];
        return {dcl: n.domContentLoadedEventStart, load: n.loadEventStart}; }""")
    return {"dcl_ms": nav["dcl"], "load_ms": nav["load"]}


def steps(page: Any, dcl: float) -> dict[str, float]:
    """Where the time between DOMContentLoaded and the launcher goes (resource timing)."""
    entries = page.evaluate("""() => performance.getEntriesByType('resource').map(
        e => ({name: e.name, start: e.startTime, end: e.responseEnd}))""")
    out = {}
    for entry in entries:
        name = entry["name"].split("?")[0].rsplit("/", 1)[-1]
        if name in ("guide.js", "bootstrap"):
            out[f"{name} requested"] = entry["start"] - dcl
            out[f"{name} received"] = entry["end"] - dcl
    return out


def load(context: Any, url: str, widget: bool, sign_in: bool) -> dict[str, Any]:
    page = context.new_page()
    wire = Wire(context, page, widget)
    if sign_in:
        page.goto(f"{url}/demo/")
        wire.reset()
        page.locator(f'form:has(input[name="user"][value="{USER}"]) button').click()
        page.wait_for_url("**/demo/dashboard")
    else:
        page.goto(f"{url}/demo/dashboard")
    out: dict[str, Any] = timings(page)
    if widget:
        page.wait_for_function("() => window.__paint && window.__paint.launcher", timeout=15_000)
        paint = page.evaluate("() => window.__paint")
        out["launcher_after_dcl_ms"] = paint["launcher"] - paint["dcl"]
        out["steps_after_dcl_ms"] = {**steps(page, paint["dcl"]),
                                     "launcher shown": out["launcher_after_dcl_ms"]}
        out["widget"] = wire.widget()
    out["bytes"] = wire.total()
    page.close()
    return out


def context_for(browser: Any, widget: bool) -> Any:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.add_init_script(WATCH)
    return context


def runs(browser: Any, url: str, widget: bool, cold: int, warm: int) -> dict[str, Any]:
    cold_runs, warm_runs = [], []
    for _ in range(cold):
        context = context_for(browser, widget)
        cold_runs.append(load(context, url, widget, sign_in=True))
        context.close()
    context = context_for(browser, widget)
    load(context, url, widget, sign_in=True)  # fills the cache
    for _ in range(warm):
        warm_runs.append(load(context, url, widget, sign_in=False))
    context.close()
    return {"cold": cold_runs, "warm": warm_runs}


def spread(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def summary(runs_: list[dict[str, Any]], widget: bool) -> dict[str, Any]:
    keys = ["dcl_ms", "load_ms", "bytes"] + (["launcher_after_dcl_ms"] if widget else [])
    out = {key: spread([r[key] for r in runs_]) for key in keys}
    if widget:
        names = list(dict.fromkeys(k for r in runs_ for k in STEPS if k in r["steps_after_dcl_ms"]))
        out["steps_after_dcl_ms"] = {k: spread([r["steps_after_dcl_ms"][k] for r in runs_
                                                if k in r["steps_after_dcl_ms"]]) for k in names}
    return out


def first_load_bytes(cold: dict[str, Any]) -> dict[str, Any]:
    """guide.js and the bootstrap as the first cold run received them, and guide.js in gzip."""
    files = cold["widget"]
    guide_js, boot = files["guide.js"], files["bootstrap"]
    return {"guide_js": guide_js, "bootstrap": boot,
            # What a client that accepts gzip but not Brotli gets: the build's .gz file.
            "guide_js_gzip_body": (DIST / "guide.js.gz").stat().st_size,
            "others": {k: v for k, v in files.items() if k not in ("guide.js", "bootstrap")}}


def cell(s: dict[str, float], fmt: str = ".0f") -> str:
    return f"{s['median']:{fmt}} ({s['min']:{fmt}}-{s['max']:{fmt}})"


def doc(results: dict[str, Any], opts: argparse.Namespace) -> str:
    m, w, bare, first = (results["machine"], results["widget"], results["without_widget"],
                         results["first_load"])
    boot, js = first["bootstrap"], first["guide_js"]
    lines = [
        START, "## First paint in Chromium (`bench/first_paint.py`)", "",
        f"Measured {m['date']} on {m['cpu']}, {m['cores']} cores, load average "
        f"{results['load_average']:.1f}"
        f"{' (other work shared the machine)' if results['load_average'] >= 1 else ''}, with "
        f"`.venv/bin/python bench/first_paint.py --cold {opts.cold} --warm {opts.warm}`: "
        "the `make demo` server (gunicorn, SQLite) and headless Debian Chromium on the same "
        f"machine, the demo user {USER} on /demo/dashboard. Median (min-max) of "
        f"{opts.cold} cold loads (new browser context each) and {opts.warm} warm ones "
        "(`guide.js` from the HTTP cache). Raw results: `bench/results/first_paint.json`.",
        "",
        "| measure | cold | warm |", "|---|---|---|",
        "| **launcher interactive after DOMContentLoaded, ms** (target: warm within 100) | "
        f"{cell(w['cold']['launcher_after_dcl_ms'])} | "
        f"{cell(w['warm']['launcher_after_dcl_ms'])} |",
        f"| DOMContentLoaded, ms from navigation, with the widget | "
        f"{cell(w['cold']['dcl_ms'])} | {cell(w['warm']['dcl_ms'])} |",
        f"| DOMContentLoaded, ms, page without the widget | {cell(bare['cold']['dcl_ms'])} | "
        f"{cell(bare['warm']['dcl_ms'])} |",
        f"| load event, ms, with the widget | {cell(w['cold']['load_ms'])} | "
        f"{cell(w['warm']['load_ms'])} |",
        f"| load event, ms, page without the widget | {cell(bare['cold']['load_ms'])} | "
        f"{cell(bare['warm']['load_ms'])} |",
        f"| bytes on the wire for the whole load, with the widget | {cell(w['cold']['bytes'])} "
        f"| {cell(w['warm']['bytes'])} |",
        f"| bytes on the wire, page without the widget | {cell(bare['cold']['bytes'])} | "
        f"{cell(bare['warm']['bytes'])} |",
        "",
        "Between DOMContentLoaded and the launcher (resource timing, ms after "
        "DOMContentLoaded; negative: before it):", "",
        "| step | cold | warm |", "|---|---|---|",
        *(f"| {name} | {cell(w['cold']['steps_after_dcl_ms'][name])} | "
          + (cell(w['warm']['steps_after_dcl_ms'][name])
             if name in w['warm']['steps_after_dcl_ms'] else "from the cache") + " |"
          for name in w["cold"]["steps_after_dcl_ms"]),
        "",
        "Before the launcher, first load (body bytes, and on the wire with headers):",
        "",
        "| response | encoding | body | on the wire |", "|---|---|---|---|",
        f"| guide.js (as Chromium asks: Brotli first) | {js['encoding']} | {js['body']:,} | "
        f"{js['bytes']:,} |",
        f"| guide.js for a client without Brotli | gzip | {first['guide_js_gzip_body']:,} | |",
        f"| bootstrap (demo user {USER}) | {boot['encoding']} | {boot['body']:,} | "
        f"{boot['bytes']:,} |",
        f"| **guide.js + bootstrap, gzip** (target < 22 KB = 22,528 B) | gzip | "
        f"{first['guide_js_gzip_body'] + boot['body']:,} | |",
        f"| guide.js + bootstrap as Chromium received them | {js['encoding']} + "
        f"{boot['encoding']} | {js['body'] + boot['body']:,} | {js['bytes'] + boot['bytes']:,} |",
    ]
    for name, item in first["others"].items():
        lines.append(f"| {name} (not needed for the launcher) | {item['encoding']} | "
                     f"{item['body']:,} | {item['bytes']:,} |")
    return "\n".join(lines + [END])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cold", type=int, default=7)
    parser.add_argument("--warm", type=int, default=20)
    parser.add_argument("--no-doc", action="store_true")
    opts = parser.parse_args()
    os.environ.pop("GUIDE_TEST_DATABASE_URL", None)  # the demo as `make demo` runs it
    from playwright.sync_api import sync_playwright

    results: dict[str, Any] = {"machine": machine(), "load_average": os.getloadavg()[0]}
    with tempfile.TemporaryDirectory() as tmp, live.demo_server(Path(tmp), "paint") as server, \
            sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        raw = {"widget": runs(browser, server.url, True, opts.cold, opts.warm),
               "without_widget": runs(browser, server.url, False, opts.cold, opts.warm)}
        browser.close()
    results["raw"] = raw
    for name in ("widget", "without_widget"):
        results[name] = {kind: summary(raw[name][kind], name == "widget")
                         for kind in ("cold", "warm")}
    results["first_load"] = first_load_bytes(raw["widget"]["cold"][0])
    text = doc(results, opts)
    print(text)
    if not opts.no_doc:
        save_results(RESULTS, results)
        write_section(DOC, START, END, text)


if __name__ == "__main__":
    main()
