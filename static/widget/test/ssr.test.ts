// @vitest-environment node
import { expect, it } from "vitest";

it("imports without a window (server-side rendering)", async () => {
  expect(typeof (globalThis as { window?: unknown }).window).toBe("undefined");
  const mod = await import("../src/index");
  expect(mod).toBeTruthy();
});
