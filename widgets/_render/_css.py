"""The panel's one stylesheet, scoped to ``.dx-panel`` so it styles nothing else on the page.

Colours come from JupyterLab's theme variables (also set by Notebook 7 and Voila), then VS Code's,
then a fixed fallback that reads on light and dark backgrounds; tints are translucent so they
work on either. The panel puts :func:`style_html` once in one of its ``HTML`` widgets (a
``<style>`` inserted by ``innerHTML`` applies to the whole document, hence the scoping) and gives
its root box the class ``dx-panel`` and its row ``Select`` the class ``dx-rows``.
"""

from __future__ import annotations

__all__ = ["PANEL_CLASS", "PANEL_CSS", "ROWS_CLASS", "panel_html", "style_html"]

PANEL_CLASS = "dx-panel"
ROWS_CLASS = "dx-rows"

_FG = "var(--jp-ui-font-color1, var(--vscode-foreground, inherit))"
_FG_DIM = "var(--jp-ui-font-color2, var(--vscode-descriptionForeground, #777))"
_BORDER = "var(--jp-border-color2, var(--vscode-panel-border, rgba(127, 127, 127, 0.35)))"
_CODE_FONT = "var(--jp-code-font-family, var(--vscode-editor-font-family, monospace))"
_CODE_SIZE = "var(--jp-code-font-size, 13px)"

PANEL_CSS = f"""
.dx-panel {{ color: {_FG}; font-family: var(--jp-ui-font-family, inherit); }}
.dx-panel .dx-json, .dx-panel .dx-tree, .dx-panel .dx-diff, .dx-panel .dx-items,
.dx-panel .dx-rows-header, .dx-panel .dx-rows > select {{
  font-family: {_CODE_FONT}; font-size: {_CODE_SIZE};
}}
.dx-panel .dx-json {{
  margin: 0; padding: 6px 8px; white-space: pre-wrap; overflow-wrap: anywhere;
  max-height: 32em; overflow: auto; border: 1px solid {_BORDER}; border-radius: 3px;
  background: var(--jp-layout-color0, transparent); color: {_FG};
}}
.dx-panel .dx-k {{ color: var(--jp-mirror-editor-property-color,
  var(--vscode-debugTokenExpression-name, #1a6fb0)); }}
.dx-panel .dx-s {{ color: var(--jp-mirror-editor-string-color,
  var(--vscode-debugTokenExpression-string, #b5542a)); }}
.dx-panel .dx-n {{ color: var(--jp-mirror-editor-number-color,
  var(--vscode-debugTokenExpression-number, #2e8b57)); }}
.dx-panel .dx-b {{ color: var(--jp-mirror-editor-keyword-color,
  var(--vscode-debugTokenExpression-boolean, #8b44c4)); font-weight: bold; }}
.dx-panel .dx-z {{ color: var(--jp-mirror-editor-atom-color,
  var(--vscode-debugTokenExpression-boolean, #8b44c4)); font-style: italic; }}
.dx-panel .dx-i, .dx-panel .dx-meta, .dx-panel .dx-prev, .dx-panel .dx-none,
.dx-panel .dx-note {{ color: {_FG_DIM}; }}
.dx-panel .dx-more {{ color: {_FG_DIM}; font-style: italic; }}
.dx-panel .dx-tree {{ padding: 4px 8px; max-height: 32em; overflow: auto;
  border: 1px solid {_BORDER}; border-radius: 3px; }}
.dx-panel .dx-tree summary {{ cursor: pointer; }}
.dx-panel .dx-tree .dx-children {{ margin-left: 1.4em; border-left: 1px dotted {_BORDER};
  padding-left: 0.4em; }}
.dx-panel .dx-tree .dx-leaf {{ margin-left: 1.1em; white-space: pre-wrap;
  overflow-wrap: anywhere; }}
.dx-panel .dx-items {{ border-collapse: collapse; width: 100%; table-layout: fixed; }}
.dx-panel .dx-items th, .dx-panel .dx-items td {{
  text-align: left; padding: 2px 6px; border-bottom: 1px solid {_BORDER};
  white-space: nowrap; overflow: hidden; text-overflow: ellipsis;
}}
.dx-panel .dx-items th {{ color: {_FG_DIM}; font-weight: 600; }}
.dx-panel .dx-items .dx-col-id {{ width: 6em; }}
.dx-panel .dx-items .dx-col-trace {{ width: 4em; }}
.dx-panel .dx-items .dx-col-updated {{ width: 9.5em; }}
.dx-panel .dx-items tr.dx-selected td {{ background: rgba(33, 150, 243, 0.18); }}
.dx-panel .dx-items tbody tr:hover td {{
  background: var(--jp-rendermime-table-row-hover-background, rgba(127, 127, 127, 0.12));
}}
.dx-panel .dx-rows > select {{ width: 100%; }}
.dx-panel .dx-rows > select > option {{ padding: 1px 4px; }}
.dx-panel .dx-rows-header {{
  white-space: pre; overflow: hidden; color: {_FG_DIM}; font-weight: 600;
  padding: 2px 0 2px calc(var(--jp-widgets-border-width, 1px) + 4px);
}}
.dx-panel .dx-version-id {{ user-select: all; -webkit-user-select: all; cursor: text; }}
.dx-panel .dx-version {{ font-weight: 600; }}
.dx-panel .dx-fixed-value {{ max-height: 16em; overflow: auto; border: 1px dashed {_BORDER};
  border-radius: 3px; padding: 2px 6px; }}
.dx-panel .dx-refs {{ border-collapse: collapse; }}
.dx-panel .dx-refs th, .dx-panel .dx-refs td {{
  text-align: left; padding: 1px 8px 1px 0; vertical-align: top; overflow-wrap: anywhere;
}}
.dx-panel .dx-refs th {{ color: {_FG_DIM}; font-weight: normal; font-family: {_CODE_FONT}; }}
.dx-panel .dx-trace-link a {{
  color: var(--jp-content-link-color, var(--vscode-textLink-foreground, #1a6fb0));
}}
.dx-panel .dx-diff {{ border: 1px solid {_BORDER}; border-radius: 3px; max-height: 32em;
  overflow: auto; }}
.dx-panel .dx-diff .dx-line {{ white-space: pre-wrap; overflow-wrap: anywhere;
  word-break: break-word; padding: 0 6px; }}
.dx-panel .dx-diff .dx-mark {{ display: inline-block; width: 1.2em; user-select: none; }}
.dx-panel .dx-diff .dx-add {{ background: var(--vscode-diffEditor-insertedLineBackground,
  rgba(46, 160, 67, 0.2)); }}
.dx-panel .dx-diff .dx-del {{ background: var(--vscode-diffEditor-removedLineBackground,
  rgba(248, 81, 73, 0.2)); }}
.dx-panel .dx-diff mark.dx-word {{ color: inherit; font-weight: bold; border-radius: 2px;
  padding: 0; }}
.dx-panel .dx-diff .dx-add mark.dx-word {{
  background: var(--vscode-diffEditor-insertedTextBackground, rgba(46, 160, 67, 0.45)); }}
.dx-panel .dx-diff .dx-del mark.dx-word {{
  background: var(--vscode-diffEditor-removedTextBackground, rgba(248, 81, 73, 0.45)); }}
.dx-panel .dx-conflict-side {{ color: {_FG_DIM}; margin: 2px 0 0 0; }}
.dx-panel .dx-diff .dx-hunk {{ color: {_FG_DIM}; background: rgba(127, 127, 127, 0.1); }}
.dx-panel .dx-diff-summary {{ padding: 2px 6px; color: {_FG_DIM}; }}
.dx-panel .dx-same {{ padding: 2px 6px; color: {_FG_DIM}; }}
.dx-panel .dx-status {{ padding: 2px 6px; border-left: 3px solid {_BORDER};
  white-space: pre-wrap; overflow-wrap: anywhere; }}
.dx-panel .dx-status-ok {{ border-left-color: var(--jp-success-color1, #2e7d32); }}
.dx-panel .dx-status-info, .dx-panel .dx-status-busy {{
  border-left-color: var(--jp-info-color1, #0288d1); }}
.dx-panel .dx-status-warning {{ border-left-color: var(--jp-warn-color1, #ef6c00);
  background: rgba(239, 108, 0, 0.1); }}
.dx-panel .dx-status-error {{ border-left-color: var(--jp-error-color1, #d32f2f);
  background: rgba(211, 47, 47, 0.12); }}
.dx-panel .dx-main {{ display: flex; flex-flow: row wrap; align-items: flex-start;
  gap: 8px 16px; width: 100%; overflow: visible; }}
.dx-panel .dx-main > .dx-main-list {{ flex: 1 1 440px; min-width: 0; overflow: visible; }}
.dx-panel .dx-main > .dx-main-item {{ flex: 1 1 480px; min-width: 0; overflow: visible; }}
.dx-panel .dx-item-body {{ align-self: stretch; min-width: 0; }}
.dx-panel .dx-item-body > .widget-html-content {{ flex: 1 1 auto; min-width: 0; }}
.dx-panel .dx-item-cols {{ display: flex; flex-flow: row wrap; align-items: flex-start;
  gap: 0 10px; }}
.dx-panel .dx-item-col {{ flex: 1 1 240px; min-width: 0; }}
.dx-panel .dx-field {{ margin: 0 0 8px 0; min-width: 0; }}
.dx-panel .dx-field-label {{ font-weight: 600; color: {_FG_DIM}; margin: 2px 0; }}
.dx-panel .dx-read {{ padding: 6px 8px; max-height: 36em; overflow: auto;
  border: 1px solid {_BORDER}; border-radius: 3px; line-height: 1.4;
  background: var(--jp-layout-color0, transparent); }}
.dx-panel .dx-text {{ white-space: pre-wrap; overflow-wrap: break-word; }}
.dx-panel .dx-chat {{ display: flex; flex-direction: column; gap: 6px; }}
.dx-panel .dx-msg {{ border-left: 3px solid {_BORDER}; padding: 2px 8px;
  background: rgba(127, 127, 127, 0.06); border-radius: 2px; min-width: 0; }}
.dx-panel .dx-msg-user {{ border-left-color: var(--jp-info-color1, #0288d1); }}
.dx-panel .dx-msg-assistant {{ border-left-color: var(--jp-success-color1, #2e7d32); }}
.dx-panel .dx-msg-tool, .dx-panel .dx-msg-function {{
  border-left-color: var(--jp-warn-color1, #ef6c00); }}
.dx-panel .dx-msg-head {{ font-size: 85%; color: {_FG_DIM}; }}
.dx-panel .dx-role {{ font-weight: 600; }}
.dx-panel .dx-call {{ font-family: {_CODE_FONT}; font-size: {_CODE_SIZE};
  white-space: pre-wrap; overflow-wrap: anywhere; }}
.dx-panel .dx-call-name {{ font-weight: 600; }}
.dx-panel .dx-row {{ display: flex; flex-flow: row wrap; column-gap: 0.6em; min-width: 0; }}
.dx-panel .dx-row > .dx-key {{ flex: 0 0 auto; max-width: 100%; overflow-wrap: anywhere; }}
.dx-panel .dx-row > .dx-val {{ flex: 1 1 14em; min-width: 0; }}
.dx-panel .dx-read .dx-json {{ max-height: none; }}
.dx-panel .dx-chip {{ display: inline-block; padding: 0 6px; margin: 0 2px 2px 0;
  border: 1px solid {_BORDER}; border-radius: 8px; overflow-wrap: anywhere; }}
.dx-panel .dx-badge {{ display: inline-block; padding: 0 6px; border-radius: 8px;
  font-size: 85%; border: 1px solid {_BORDER}; background: rgba(127, 127, 127, 0.12); }}
.dx-panel .dx-badge-ok {{ border-color: var(--jp-success-color1, #2e7d32); }}
.dx-panel .dx-badge-info, .dx-panel .dx-badge-trace {{
  border-color: var(--jp-info-color1, #0288d1); }}
.dx-panel .dx-badge-warning {{ border-color: var(--jp-warn-color1, #ef6c00); }}
.dx-panel .dx-badge-error {{ border-color: var(--jp-error-color1, #d32f2f); }}
.dx-panel .dx-wide {{ align-self: stretch; min-width: 0; }}
.dx-panel .dx-wide > .widget-html-content {{ flex: 1 1 auto; min-width: 0; display: block; }}
.dx-panel .dx-history, .dx-panel .dx-revisions, .dx-panel .dx-export {{ margin: 4px 0; }}
.dx-panel .dx-history-list, .dx-panel .dx-revision-list, .dx-panel .dx-change-list {{
  align-self: stretch; width: auto; min-width: 0; }}
.dx-panel .dx-history-list > select, .dx-panel .dx-revision-list > select,
.dx-panel .dx-change-list > select {{ min-width: 0; flex: 1 1 auto; }}
.dx-panel .dx-history-head {{ margin: 2px 0 4px 0; }}
.dx-panel .dx-version-meta {{ margin: 6px 0 2px 0; line-height: 1.5; }}
.dx-panel .dx-version-meta .dx-ids {{ color: {_FG_DIM}; overflow-wrap: anywhere; }}
.dx-panel .dx-ids code {{ font-size: 90%; }}
.dx-panel .dx-compared {{ margin: 0 0 4px 0; }}
.dx-panel .dx-diff-title {{ font-weight: 600; margin: 6px 0 2px 0; }}
.dx-panel .dx-history-diff .dx-field-label {{ margin-top: 6px; }}
.dx-panel .dx-view-banner {{ align-items: center; gap: 4px; margin: 0 0 4px 0; }}
.dx-panel .dx-view-banner > .widget-html {{ flex: 1 1 320px; min-width: 0; }}
.dx-panel .dx-confirm-row {{ align-items: center; gap: 4px; }}
.dx-panel .dx-confirm-row > .widget-html {{ flex: 1 1 320px; min-width: 0; }}
.dx-panel .dx-search-row {{ align-items: center; gap: 0 2px; }}
.dx-panel .dx-search-row > .dx-search-items {{ flex: 1 1 240px; min-width: 160px;
  max-width: 460px; }}
.dx-panel .dx-search-help {{ font-size: 85%; line-height: 1.4; margin: 0 0 2px 2px; }}
.dx-panel .dx-search-help code {{ font-size: 95%; }}
.dx-panel .dx-search-status, .dx-panel .dx-bulk-result {{ align-items: flex-start;
  gap: 0 4px; }}
.dx-panel .dx-search-status > .widget-html, .dx-panel .dx-bulk-result > .widget-html {{
  flex: 1 1 220px; min-width: 0; }}
.dx-panel .dx-search-row > button, .dx-panel .dx-search-status > button,
.dx-panel .dx-bulk-bar > button, .dx-panel .dx-bulk-result > button,
.dx-panel .dx-bulk-form > button, .dx-panel .dx-bulk-confirm button {{ flex: 0 0 auto; }}
.dx-panel .dx-link-button {{ background: transparent; border: none; box-shadow: none;
  color: var(--jp-content-link-color, var(--vscode-textLink-foreground, #1a6fb0));
  text-decoration: underline; padding: 0 4px; }}
.dx-panel .dx-link-button:hover {{ box-shadow: none; text-decoration: none; }}
.dx-panel .dx-bulk-bar, .dx-panel .dx-bulk-form {{ align-items: center; gap: 2px 4px;
  margin: 2px 0; }}
.dx-panel .dx-bulk-count {{ flex: 0 0 auto; margin-right: 4px; }}
.dx-panel .dx-bulk-confirm {{ border: 1px solid {_BORDER};
  border-left: 3px solid var(--jp-warn-color1, #ef6c00); border-radius: 3px;
  padding: 4px 8px; margin: 2px 0 6px 0; background: rgba(239, 108, 0, 0.06); }}
.dx-panel .dx-bulk-title {{ margin: 0 0 4px 0; }}
.dx-panel .dx-bulk-progress {{ align-items: center; gap: 0 8px; }}
.dx-panel .dx-bulk-items, .dx-panel .dx-import-problems {{ margin: 2px 0 4px 0; }}
.dx-panel .dx-bulk-items summary, .dx-panel .dx-import-problems summary {{ cursor: pointer;
  color: {_FG_DIM}; }}
.dx-panel .dx-bulk-items ul, .dx-panel .dx-import-problems ul {{ max-height: 14em;
  overflow: auto; margin: 2px 0; padding-left: 1.4em; font-size: 90%;
  overflow-wrap: anywhere; }}
.dx-panel .dx-frame-changes .dx-diff-title {{ margin-top: 10px; }}
""".strip()
"""The stylesheet (CSS text, no ``<style>`` tag); every rule starts with ``.dx-panel``."""


def style_html() -> str:
    """:data:`PANEL_CSS` in a ``<style>`` element, for one of the panel's ``HTML`` widgets."""
    return f"<style>{PANEL_CSS}</style>"


def panel_html(fragment: str) -> str:
    """A trusted, already-escaped ``fragment`` with the stylesheet, in ``<div class="dx-panel">``:
    standalone HTML for ``_repr_html_`` or a static page."""
    return f'<div class="{PANEL_CLASS}">{style_html()}{fragment}</div>'
