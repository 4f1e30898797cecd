/**
 * widgets.js: the widget runtime, loaded by the page the first time a widget is shown
 * (see ../loader.ts). Brings the ipywidgets 8 CSS and icons, and registers `start` on
 * globalThis.
 */

import "@lumino/widgets/style/index.css"; // hides inactive tabs and accordion sections
import "@jupyter-widgets/controls/css/widgets-base.css";
import "@jupyter-widgets/controls/css/labvariables.css";
import "@fortawesome/fontawesome-free/css/all.min.css"; // button and toggle icons (`icon=`)
import "@fortawesome/fontawesome-free/css/v4-shims.min.css"; // ipywidgets uses v4 names
import "./widgets.css";

import type { StartWidgetRuntime } from "../contract.ts";
import { DocWidgetManager } from "./manager.ts";

const start: StartWidgetRuntime = (host) => new DocWidgetManager(host);
globalThis.nbdeskWidgets = start;
