// panel.js puts its htmx on window, so islands use the same one (their bundles do not carry a second).
declare global {
  interface Window {
    htmx: typeof import('htmx.org').default;
  }
}
export {};
