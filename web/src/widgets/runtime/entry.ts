/**
 * widgets.js: the widget runtime, loaded by the page the first time a widget is shown
 * (see ../loader.ts). Brings the ipywidgets 8 CSS and registers `start` on globalThis.
 */

import "@jupyter-widgets/controls/css/widgets-base.css";
import "@jupyter-widgets/controls/css/labvariables.css";
import "./widgets.css";

import type { StartWidgetRuntime } from "../contract.ts";
import { DocWidgetManager } from "./manager.ts";

const start: StartWidgetRuntime = (host) => new DocWidgetManager(host);
globalThis.nbdeskWidgets = start;
