/** The webview entry: initialise Automerge's wasm from the inlined base64 copy. */

import { initializeBase64Wasm } from "@automerge/automerge/slim";
import { automergeWasmBase64 } from "@automerge/automerge/automerge.wasm.base64";

await initializeBase64Wasm(automergeWasmBase64);
