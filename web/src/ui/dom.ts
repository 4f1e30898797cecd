/** DOM helpers: an element builder and an order-keeping child placer. */

export type Attributes = Readonly<Record<string, string | boolean | undefined>>;
export type Child = Node | string;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === true) {
      element.setAttribute(name, "");
    } else if (typeof value === "string") {
      element.setAttribute(name, value);
    }
  }
  element.append(...children);
  return element;
}

/**
 * Make `parent`'s children exactly `children`, moving as little as possible: a moved
 * iframe reloads, so outputs that stay in place must not be touched.
 */
export function placeChildren(parent: HTMLElement, children: readonly HTMLElement[]): void {
  let cursor = parent.firstChild;
  for (const child of children) {
    if (child === cursor) {
      cursor = cursor.nextSibling;
    } else {
      parent.insertBefore(child, cursor);
    }
  }
  while (cursor !== null) {
    const next = cursor.nextSibling;
    cursor.remove();
    cursor = next;
  }
}
