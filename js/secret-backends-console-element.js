// <secret-backends-console api-base="/api/v1" base-path="/admin/secrets" theme="auto">
//
// A custom element around mountConsole: it mounts the console when connected and unmounts it
// when disconnected. The bearer token is a property (`element.token = "…"`), never an
// attribute, so it does not show in the DOM; `element.onEvent = (e) => …` receives
// `{kind, name}` after each change the console makes (also dispatched as the bubbling DOM event
// `secret-backends-change`).
import init, { mountConsole } from "./secret-backends-console.js";

const ready = init();

class SecretBackendsConsoleElement extends HTMLElement {
  static observedAttributes = ["api-base", "base-path", "theme"];

  #handle = null;
  #token = null;
  #onEvent = null;
  #generation = 0;

  get token() {
    return this.#token;
  }

  set token(value) {
    this.#token = value || null;
    this.#remount();
  }

  get onEvent() {
    return this.#onEvent;
  }

  set onEvent(callback) {
    this.#onEvent = typeof callback === "function" ? callback : null;
  }

  connectedCallback() {
    this.#remount();
  }

  disconnectedCallback() {
    this.#generation += 1;
    this.#unmount();
  }

  attributeChangedCallback() {
    this.#remount();
  }

  async #remount() {
    const mine = ++this.#generation;
    await ready;
    if (mine !== this.#generation || !this.isConnected) return;
    this.#unmount();
    this.#handle = mountConsole(this, {
      apiBase: this.getAttribute("api-base") || undefined,
      basePath: this.getAttribute("base-path") || undefined,
      theme: this.getAttribute("theme") || undefined,
      token: this.#token || undefined,
      onEvent: (event) => {
        this.dispatchEvent(new CustomEvent("secret-backends-change", { detail: event, bubbles: true }));
        if (this.#onEvent) this.#onEvent(event);
      },
    });
  }

  #unmount() {
    if (this.#handle) {
      this.#handle.unmount();
      this.#handle.free();
      this.#handle = null;
    }
  }
}

if (!customElements.get("secret-backends-console")) {
  customElements.define("secret-backends-console", SecretBackendsConsoleElement);
}

export { mountConsole };
