/**
 * Modal dialogs the way the kernel picker and the consent question need them: a native
 * `<dialog>` shown modal (the rest of the window inert, Escape closes it), Tab and
 * Shift-Tab kept inside it, and the focus given back to where it was when it closes.
 */

const FOCUSABLE =
  'button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

function focusables(dialog: HTMLDialogElement): HTMLElement[] {
  return [...dialog.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((element) => !element.closest("[hidden]"));
}

/** Keep Tab inside `dialog` (set up once per dialog). */
export function trapFocus(dialog: HTMLDialogElement): void {
  dialog.addEventListener("keydown", (event) => {
    if (event.key !== "Tab") {
      return;
    }
    const inside = focusables(dialog);
    const first = inside[0];
    const last = inside[inside.length - 1];
    if (first === undefined || last === undefined) {
      event.preventDefault();
      return;
    }
    const active = document.activeElement;
    if (event.shiftKey && (active === first || !dialog.contains(active))) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (active === last || !dialog.contains(active))) {
      event.preventDefault();
      first.focus();
    }
  });
}

/**
 * Show `dialog` modal and focus `initial`; when it closes (however it closes), focus
 * goes back to the element that had it, or to `fallback` when that one is gone.
 */
export function openModal(dialog: HTMLDialogElement, initial: HTMLElement, fallback: () => void): void {
  if (dialog.open) {
    initial.focus();
    return;
  }
  const opener = document.activeElement;
  dialog.addEventListener(
    "close",
    () => {
      if (opener instanceof HTMLElement && opener !== document.body && opener.isConnected) {
        opener.focus({ preventScroll: true });
      } else {
        fallback();
      }
    },
    { once: true },
  );
  dialog.showModal();
  initial.focus();
}
