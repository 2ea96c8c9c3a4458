import { install } from "./install";

export type { GuideApi } from "./api";
export type { GuideEvents } from "./types";

// Guarded so the bundle can be imported during server-side rendering.
if (typeof window !== "undefined" && typeof document !== "undefined") {
  try {
    install(window);
  } catch (err) {
    console.error("[Guide] The widget could not start:", err);
  }
}
