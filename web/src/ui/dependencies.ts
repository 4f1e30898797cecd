/**
 * The notebook's packages in the window: joins the dependencies panel and the trust
 * dialog to the session, and routes to them what concerns them (the document's metadata,
 * `trust_state`, `env_progress`, `env_sync_state`, the kernel becoming ready).
 */

import { notebookDependencies } from "../doc/dependencies.ts";
import type { NotebookDoc } from "../doc/notebook.ts";
import type { EnvProgress, EnvSyncState, KernelLocation, TrustState } from "../protocol/wire.gen.ts";
import type { Session } from "../session.ts";
import { DependenciesPanel } from "./dependencies-panel.ts";
import type { StatusBar } from "./status.ts";
import { Trust } from "./trust.ts";

export class Dependencies {
  readonly panel: DependenciesPanel;
  readonly trust: Trust;
  #kernelReady = false;

  constructor(session: Session, status: StatusBar, fallbackFocus: () => void) {
    const restart = (): Promise<unknown> => session.request("restart_kernel", {});
    this.trust = new Trust(
      {
        heads: () => session.heads(),
        approve: (digest, heads) =>
          session.request("approve_trust", { digest }, { requiredHeads: heads }).then((reply) => reply.trust),
        get: () => session.request("get_trust", {}).then((reply) => reply.trust),
        restart,
        message: (text, kind) => status.showMessage(text, kind),
      },
      fallbackFocus,
    );
    this.panel = new DependenciesPanel(
      {
        set: (dependencies) =>
          session.request("set_dependencies", { dependencies: [...dependencies] }).then((reply) => reply.trust),
        listPackages: () => session.request("list_packages", {}),
        restart,
        review: () => this.trust.review(),
      },
      fallbackFocus,
    );
    this.trust.onChange((state) => this.panel.showTrust(state));
  }

  docChanged(doc: NotebookDoc): void {
    this.panel.showDependencies(notebookDependencies(doc));
  }

  trustState(state: TrustState): void {
    this.trust.update(state);
  }

  progress(event: EnvProgress): void {
    this.trust.progress(event);
    this.panel.progress(event);
  }

  syncState(event: EnvSyncState): void {
    this.panel.showDrift(event);
  }

  /** Each time a kernel becomes ready its environment may hold other packages. */
  kernelLocation(location: KernelLocation): void {
    const ready = location.phase === "ready";
    if (ready && !this.#kernelReady) {
      this.panel.kernelReady();
    }
    this.#kernelReady = ready;
  }

  /** The daemon is gone: the next kernel to be ready is a new one. */
  forget(): void {
    this.#kernelReady = false;
  }
}
