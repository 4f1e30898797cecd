/**
 * The webview entry: initialise Automerge's wasm (inlined as base64), connect to this
 * window's relay with the page's own query string, and start the notebook UI.
 */

import { initializeWasm } from "@automerge/automerge/slim";
import { automergeWasmBase64 } from "@automerge/automerge/automerge.wasm.base64";

import { RelayHost } from "./host.ts";
import { decodeBase64 } from "./util/base64.ts";
import { relayUrl, WebSocketTransport } from "./transport.ts";
import { App } from "./ui/app.ts";

async function start(): Promise<void> {
  // The relay's handshake with the daemon runs while the wasm compiles.
  const transport = new WebSocketTransport(relayUrl(new URL(window.location.href)));
  await initializeWasm(decodeBase64(automergeWasmBase64));
  performance.mark("nbdesk:wasm-ready");
  const root = document.getElementById("app") ?? document.body;
  const host = new RelayHost(transport);
  new App(root, transport, host);
  transport.release();
}

start().catch((error: unknown) => {
  console.error("nbdesk: failed to start", error);
  const message = error instanceof Error ? error.message : String(error);
  document.body.textContent = `nbdesk could not start: ${message}`;
});
