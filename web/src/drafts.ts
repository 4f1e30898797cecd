/**
 * Drafts: this tab's copy of each notebook document, kept in sessionStorage so a reload
 * (or a crash of the page) cannot lose edits that had not reached the daemon yet. On the
 * next connection the draft is loaded before syncing, and Automerge merges whatever the
 * daemon lacks. Storage failures (quota, private mode) only lose the safety net.
 */

import { decodeBase64, encodeBase64 } from "./util/base64.ts";

export interface DraftStore {
  load(notebookId: string): Uint8Array | null;
  save(notebookId: string, bytes: Uint8Array): void;
}

const PREFIX = "nbdesk:draft:";

export class SessionStorageDrafts implements DraftStore {
  load(notebookId: string): Uint8Array | null {
    try {
      const encoded = window.sessionStorage.getItem(PREFIX + notebookId);
      return encoded === null ? null : decodeBase64(encoded);
    } catch {
      return null;
    }
  }

  save(notebookId: string, bytes: Uint8Array): void {
    try {
      window.sessionStorage.setItem(PREFIX + notebookId, encodeBase64(bytes));
    } catch {
      // Over quota or storage disabled: the draft is a safety net, not the source of truth.
    }
  }
}
