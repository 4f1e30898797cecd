/**
 * application/json as a collapsible tree (WAI-ARIA tree pattern): the root starts open,
 * deeper levels closed and built only when opened. Keyboard: Up/Down move, Right opens or
 * enters, Left closes or goes to the parent, Enter/Space toggle, Home/End.
 */

import { h } from "../ui/dom.ts";
import { type JsonNode, jsonNode } from "./json-model.ts";

/** Children shown when a node opens; the rest are counted, not built. */
export const MAX_CHILDREN = 1000;

function row(node: JsonNode): HTMLElement {
  const parts: (Node | string)[] = [
    h("span", { class: "json-toggle", "aria-hidden": "true" }, node.expandable ? "▸" : ""),
  ];
  if (node.key !== null) {
    parts.push(h("span", { class: "json-key" }, node.key), ": ");
  }
  parts.push(h("span", { class: `json-value json-${node.kind}` }, node.summary));
  return h("div", { class: "json-row" }, ...parts);
}

function item(node: JsonNode): HTMLLIElement {
  const li = h("li", { role: "treeitem", tabindex: "-1" }, row(node));
  if (node.expandable) {
    li.setAttribute("aria-expanded", "false");
    itemNodes.set(li, node);
  }
  return li;
}

const itemNodes = new WeakMap<HTMLElement, JsonNode>();

function setExpanded(li: HTMLElement, expanded: boolean): void {
  const node = itemNodes.get(li);
  if (node === undefined) {
    return;
  }
  li.setAttribute("aria-expanded", String(expanded));
  const toggle = li.querySelector(":scope > .json-row > .json-toggle");
  if (toggle !== null) {
    toggle.textContent = expanded ? "▾" : "▸";
  }
  let group = li.querySelector<HTMLElement>(":scope > ul");
  if (expanded && group === null) {
    const children = node.children();
    group = h("ul", { role: "group" }, ...children.slice(0, MAX_CHILDREN).map(item));
    if (children.length > MAX_CHILDREN) {
      group.append(h("li", { class: "json-more" }, `… ${children.length - MAX_CHILDREN} more`));
    }
    li.append(group);
  }
  if (group !== null) {
    group.hidden = !expanded;
  }
}

function visibleItems(tree: HTMLElement): HTMLElement[] {
  return [...tree.querySelectorAll<HTMLElement>("[role=treeitem]")].filter(
    (li) => li.closest("ul[hidden]") === null,
  );
}

/** Roving tabindex: the focused item is the tree's one tab stop. */
function moveFocus(from: HTMLElement | null, to: HTMLElement | null | undefined): void {
  if (to === undefined || to === null) {
    return;
  }
  if (from !== null) {
    from.tabIndex = -1;
  }
  to.tabIndex = 0;
  to.focus();
}

function targetItem(event: Event): HTMLElement | null {
  const target = event.target;
  return target instanceof Element ? target.closest<HTMLElement>("[role=treeitem]") : null;
}

function onKey(tree: HTMLElement, event: KeyboardEvent): void {
  const current = targetItem(event);
  if (current === null) {
    return;
  }
  const items = visibleItems(tree);
  const index = items.indexOf(current);
  const expanded = current.getAttribute("aria-expanded");
  switch (event.key) {
    case "ArrowDown":
      moveFocus(current, items[index + 1]);
      break;
    case "ArrowUp":
      moveFocus(current, items[index - 1]);
      break;
    case "Home":
      moveFocus(current, items[0]);
      break;
    case "End":
      moveFocus(current, items[items.length - 1]);
      break;
    case "ArrowRight":
      if (expanded === "false") {
        setExpanded(current, true);
      } else if (expanded === "true") {
        moveFocus(current, items[index + 1]);
      }
      break;
    case "ArrowLeft":
      if (expanded === "true") {
        setExpanded(current, false);
      } else {
        const parent = current.parentElement?.closest<HTMLElement>("[role=treeitem]");
        moveFocus(current, parent);
      }
      break;
    case "Enter":
    case " ":
      if (expanded !== null) {
        setExpanded(current, expanded === "false");
      }
      break;
    default:
      return;
  }
  event.preventDefault();
  event.stopPropagation();
}

/** A `ul[role=tree].json-output` for `value`. */
export function jsonTree(value: unknown): HTMLElement {
  const root = item(jsonNode(value));
  root.tabIndex = 0;
  const tree = h("ul", { class: "json-output", role: "tree", "aria-label": "JSON output" }, root);
  setExpanded(root, true);
  tree.addEventListener("keydown", (event) => onKey(tree, event));
  tree.addEventListener("click", (event) => {
    const li = targetItem(event);
    if (li === null) {
      return;
    }
    moveFocus(tree.querySelector<HTMLElement>("[role=treeitem][tabindex='0']"), li);
    if (li.hasAttribute("aria-expanded")) {
      setExpanded(li, li.getAttribute("aria-expanded") === "false");
    }
  });
  return tree;
}
