"""Issue #16: the widget as an npm package, imported under Node (no DOM) and packed."""

from __future__ import annotations

import json
import subprocess
import tarfile
from pathlib import Path

import pytest

from tests.npm_package import WIDGET, build_package


@pytest.fixture(scope="module")
def tarball(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_package(tmp_path_factory.mktemp("npm"))


NODE_SCRIPT = """
const guide = await import(process.argv[1]);
if (typeof window !== "undefined" || typeof document !== "undefined") throw new Error("a DOM here");
guide.identify("u1", {plan: "trial"});
guide.group("acme", {plan: "pro"});
guide.track("signed_up", {via: "ssr"});
guide.on("error", () => {});
guide.start("welcome");
guide.openHelp();
guide.init({appKey: "demo", server: "https://guide.example.com"});
console.log(JSON.stringify(Object.keys(guide).sort()));
"""


def test_the_package_imports_under_node_without_a_dom_and_calls_before_init_do_not_throw(tarball):
    entry = tarball.parent / "package" / "dist" / "index.mjs"
    result = subprocess.run(["node", "--input-type=module", "-e", NODE_SCRIPT, entry.as_uri()],
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert json.loads(result.stdout) == ["destroy", "group", "identify", "init", "off", "on",
                                         "openHelp", "start", "track"]


def test_the_tarball_holds_every_file_its_package_json_points_at(tarball):
    assert tarball.is_file() and tarball.name.endswith(".tgz")
    listing = subprocess.run(["tar", "tzf", str(tarball)], capture_output=True, text=True,
                             check=True).stdout.split()
    with tarfile.open(tarball) as tar:
        manifest = json.load(tar.extractfile("package/package.json"))
    inside = {name.removeprefix("package/") for name in listing}
    entry = manifest["exports"]["."]
    assert manifest["type"] == "module"
    assert list(entry) == ["types", "import"]  # "types" first, as TypeScript requires
    pointed = {entry["types"], entry["import"], manifest["types"], manifest["module"]}
    assert {p.removeprefix("./") for p in pointed} <= inside
    assert entry["types"].endswith(".d.ts") and entry["import"].endswith(".mjs")
    assert "README.md" in inside
    with tarfile.open(tarball) as tar:
        declarations = tar.extractfile("package/" + entry["types"].removeprefix("./")).read().decode()
    for name in ("init", "identify", "group", "track", "start", "openHelp", "on"):
        assert f"export declare const {name}" in declarations or f"export declare function {name}" in declarations


CONSUMER = """
import { init, identify, on, type GuideEvents } from "@guide-server/widget";
init({ appKey: "demo", server: "https://guide.example.com" });
identify("u1", { plan: "trial" }, { token: "t" });
on("tour:step", (e) => console.log(e.index + 1));
export const guides: GuideEvents["ready"]["guides"] = [];
// @ts-expect-error: on() is typed by event name
on("tour:step", (e: { nope: number }) => e.nope);
"""


@pytest.mark.parametrize("resolution", ["Bundler", "NodeNext"])
def test_an_app_type_checks_against_the_packed_declarations(tarball, tmp_path, resolution):
    """What a TypeScript app sees once it has installed the tarball (Vite and Next.js resolve
    as "Bundler", Node's own ES modules as "NodeNext")."""
    with tarfile.open(tarball) as tar:
        tar.extractall(tmp_path / "unpacked", filter="data")
    modules = tmp_path / "node_modules" / "@guide-server"
    modules.mkdir(parents=True)
    (tmp_path / "unpacked" / "package").rename(modules / "widget")
    (tmp_path / "package.json").write_text('{"type": "module"}')
    (tmp_path / "app.ts").write_text(CONSUMER)
    module = "NodeNext" if resolution == "NodeNext" else "ESNext"
    (tmp_path / "tsconfig.json").write_text(json.dumps({"compilerOptions": {
        "strict": True, "module": module, "moduleResolution": resolution, "target": "ES2020",
        "lib": ["ES2020", "DOM"], "noEmit": True, "types": []}, "files": ["app.ts"]}))
    tsc = WIDGET / "node_modules" / "typescript" / "bin" / "tsc"
    result = subprocess.run(["node", str(tsc), "-p", str(tmp_path)], capture_output=True,
                            text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
