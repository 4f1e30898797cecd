/**
 * Drafts: this tab's copy of each notebook document, kept in sessionStorage so a reload
 * (or a crash of the page) cannot lose edits that had not reached the daemon yet. On the
 * next connection the draft is loaded before syncing, and Automerge merges whatever the
 * daemon lacks. Storage failures (quota, private mode) only lose the safety net.
 */

export interface DraftStore {
  load(notebookId: string): Uint8Array | null;
  save(notebookId: string, bytes: Uint8Array): void;
}

const PREFIX = "nbdesk:draft:";

export class SessionStorageDrafts implements DraftStore {
  load(notebookId: string): Uint8Array | null {
    try {
      const encoded = window.sessionStorage.getItem(PREFIX + notebookId);
      return encoded === null ? null : Uint8Array.from(atob(encoded), (ch) => ch.charCodeAt(0));
    } catch {
      return null;
    }
  }

  save(notebookId: string, bytes: Uint8Array): void {
    let binary = "";
    for (let start = 0; start < bytes.length; start += 0x8000) {
      binary += String.fromCharCode(...bytes.subarray(start, start + 0x8000));
    }
    try {
      window.sessionStorage.setItem(PREFIX + notebookId, btoa(binary));
    } catch {
      // Over quota or storage disabled: the draft is a safety net, not the source of truth.
    }
  }
}
