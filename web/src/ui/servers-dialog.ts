/**
 * Settings: the Jupyter servers whose kernels the picker offers ("Jupyter servers…" in
 * the kernel picker). Lists them (name, URL, whether a token is stored: the daemon never
 * sends a token back), adds one (name, URL, the token typed in a password field, and the
 * `--insecure` of `nbdesk server add` as a checkbox) and removes one. A refused addition
 * keeps what was typed and says why; the token field is cleared only once it is stored.
 *
 * Hooks: `dialog[data-servers-dialog]`, `[data-server-row]` with `data-name`,
 * `[data-servers-error]`, `[data-servers-status]`.
 */

import type { AddServer, ServerEntry, ServerList } from "../protocol/wire.gen.ts";
import { errorMessage } from "../util/guards.ts";
import { h } from "./dom.ts";
import { openModal, trapFocus } from "./modal.ts";

export type NewServer = Pick<AddServer, "name" | "url" | "token" | "insecure">;

export interface ServerRequests {
  list(): Promise<ServerList>;
  add(server: NewServer): Promise<ServerList>;
  remove(name: string): Promise<ServerList>;
}

function field(label: string, input: HTMLInputElement, hint = ""): HTMLElement {
  return h("label", { class: "server-field" }, h("span", {}, label), input, hint ? h("small", {}, hint) : "");
}

export class ServersDialog {
  readonly element: HTMLDialogElement;
  readonly #requests: ServerRequests;
  readonly #fallbackFocus: () => void;
  readonly #list: HTMLElement;
  readonly #name: HTMLInputElement;
  readonly #url: HTMLInputElement;
  readonly #token: HTMLInputElement;
  readonly #insecure: HTMLInputElement;
  readonly #status: HTMLElement;
  readonly #error: HTMLElement;

  constructor(requests: ServerRequests, fallbackFocus: () => void) {
    this.#requests = requests;
    this.#fallbackFocus = fallbackFocus;
    this.#list = h("ul", { class: "server-list", "aria-labelledby": "servers-list-title" });
    this.#name = h("input", { name: "name", required: true, autocomplete: "off", spellcheck: "false" });
    this.#url = h("input", {
      name: "url",
      type: "url",
      required: true,
      autocomplete: "off",
      placeholder: "https://gpu.example.org:8888/",
    });
    this.#token = h("input", { name: "token", type: "password", autocomplete: "off" });
    this.#insecure = h("input", { name: "insecure", type: "checkbox" });
    this.#status = h("p", { class: "picker-progress", role: "status", "data-servers-status": "" });
    this.#error = h("p", { class: "picker-error", role: "alert", "data-servers-error": "" });
    const form = h(
      "form",
      { class: "server-form", "aria-labelledby": "servers-add-title" },
      h("h3", { id: "servers-add-title" }, "Add a server"),
      field("Name", this.#name, "what the picker and notebooks call it"),
      field("URL", this.#url),
      field("Token", this.#token, "kept in your nbdesk settings (mode 0600), never shown again"),
      h(
        "label",
        { class: "server-check" },
        this.#insecure,
        " Insecure: allow plain HTTP to another machine and skip certificate checks",
      ),
      h("div", { class: "dialog-buttons" }, h("button", { type: "submit", "data-servers-add": "" }, "Add server")),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.#add();
    });
    const close = h("button", { type: "button", "data-servers-close": "" }, "Close");
    close.addEventListener("click", () => this.element.close());
    this.element = h(
      "dialog",
      { class: "kernel-picker servers-dialog", "aria-labelledby": "servers-title", "data-servers-dialog": "" },
      h("h2", { id: "servers-title" }, "Settings: Jupyter servers"),
      h(
        "p",
        { class: "picker-hint" },
        "Kernels of these servers appear in the kernel picker as “NAME on SERVER”. " +
          "Notebooks keep only the server's name.",
      ),
      h("h3", { id: "servers-list-title" }, "Servers added"),
      this.#list,
      form,
      this.#status,
      this.#error,
      h("div", { class: "dialog-buttons" }, close),
    );
    trapFocus(this.element);
  }

  /** Open the settings and fill the list from the daemon. */
  open(): void {
    this.#error.textContent = "";
    this.#status.textContent = "Loading…";
    openModal(this.element, this.#name, this.#fallbackFocus);
    this.#requests.list().then(
      (reply) => {
        this.#status.textContent = "";
        this.#show(reply.servers);
      },
      (error: unknown) => {
        this.#status.textContent = "";
        this.#error.textContent = `Could not list the servers: ${errorMessage(error)}`;
      },
    );
  }

  #show(servers: readonly ServerEntry[]): void {
    if (servers.length === 0) {
      this.#list.replaceChildren(h("li", { class: "server-empty" }, "None yet: add one below."));
      return;
    }
    this.#list.replaceChildren(...servers.map((server) => this.#row(server)));
  }

  #row(server: ServerEntry): HTMLElement {
    const remove = h("button", { type: "button", "aria-label": `Remove ${server.name}` }, "Remove");
    remove.addEventListener("click", () => void this.#remove(server.name));
    const notes = [server.has_token ? "token set" : "no token"];
    if (server.insecure === true) {
      notes.push("insecure");
    }
    return h(
      "li",
      { class: "server-row", "data-server-row": "", "data-name": server.name },
      h(
        "span",
        { class: "kernel-option-name" },
        server.name,
        h("span", { class: "kernel-option-detail" }, ` ${server.url} · ${notes.join(" · ")}`),
      ),
      remove,
    );
  }

  async #add(): Promise<void> {
    const server: NewServer = {
      name: this.#name.value.trim(),
      url: this.#url.value.trim(),
      token: this.#token.value,
      insecure: this.#insecure.checked,
    };
    this.#error.textContent = "";
    this.#status.textContent = `Adding ${server.name}…`;
    try {
      this.#show((await this.#requests.add(server)).servers);
      this.#status.textContent = `Added ${server.name}: its kernels are in the kernel picker.`;
      for (const input of [this.#name, this.#url, this.#token]) {
        input.value = "";
      }
      this.#insecure.checked = false;
      this.#name.focus();
    } catch (error: unknown) {
      this.#status.textContent = "";
      this.#error.textContent = `Could not add ${server.name}: ${errorMessage(error)}`;
    }
  }

  async #remove(name: string): Promise<void> {
    this.#error.textContent = "";
    try {
      this.#show((await this.#requests.remove(name)).servers);
      this.#status.textContent = `Removed ${name}.`;
      this.#name.focus();
    } catch (error: unknown) {
      this.#error.textContent = `Could not remove ${name}: ${errorMessage(error)}`;
    }
  }
}
