// Prep's code editor (Python, and SQL for the SQL questions): CodeMirror 6 bundled into one ES module,
// static/vendor/codemirror/prep-editor.js (see README.md to rebuild).
//
//   import { createEditor } from "/static/vendor/codemirror/prep-editor.js";
//   const editor = createEditor(textarea, { nonce, keys, onChange, language });
//   (language: "python", the default, or "sql": SQLite's dialect)
//   editor.getValue(); editor.setValue(text); editor.focus(); editor.destroy(); editor.view
//
// The textarea is hidden (not removed) and kept in sync, so forms submit the code.
// Colours come from CSS custom properties (--code-*) with light and dark fallbacks.

import { Compartment, EditorState } from "@codemirror/state";
import {
  EditorView,
  drawSelection,
  highlightActiveLine,
  highlightActiveLineGutter,
  highlightSpecialChars,
  keymap,
  lineNumbers,
} from "@codemirror/view";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import {
  HighlightStyle,
  LanguageSupport,
  bracketMatching,
  indentOnInput,
  indentUnit,
  syntaxHighlighting,
} from "@codemirror/language";
import { pythonLanguage } from "@codemirror/lang-python";
import { SQLite, sql } from "@codemirror/lang-sql";
import { closeBrackets, closeBracketsKeymap } from "@codemirror/autocomplete";
import { tags as t } from "@lezer/highlight";

// Fallback colours. Every text colour has at least 4.5:1 contrast against the
// background, the active-line background, the selection and the matched-bracket
// background of its own scheme.
const LIGHT = {
  bg: "#f6f8fa",
  fg: "#1f2328",
  border: "#d1d9e0",
  gutterBg: "#eef1f4",
  gutterFg: "#59636e",
  activeLine: "#eaeef2",
  selection: "#d6e6f8",
  cursor: "#1f2328",
  focusRing: "#0969da",
  matchBg: "#dcebfa",
  matchOutline: "#0969da",
  keyword: "#b8152a",
  string: "#0a3069",
  comment: "#59636e",
  number: "#0550ae",
  definition: "#6639ba",
  type: "#953800",
};

const DARK = {
  bg: "#161b22",
  fg: "#e6edf3",
  border: "#3d444d",
  gutterBg: "#0d1117",
  gutterFg: "#a3acb6",
  activeLine: "#1f2630",
  selection: "#1f3a5c",
  cursor: "#e6edf3",
  focusRing: "#4493f8",
  matchBg: "#24344a",
  matchOutline: "#4493f8",
  keyword: "#ff7b72",
  string: "#a5d6ff",
  comment: "#a3acb6",
  number: "#79c0ff",
  definition: "#d2a8ff",
  type: "#ffa657",
};

const FONT = "var(--font-mono, ui-monospace, SFMono-Regular, Menlo, Consolas, monospace)";
const LINE_HEIGHT = 1.5;
const MIN_LINES = 12;
const MAX_LINES = 32;

function editorTheme(c, dark) {
  const v = (name, fallback) => `var(--code-${name}, ${fallback})`;
  const selection = v("selection", c.selection);
  return EditorView.theme(
    {
      "&": {
        color: v("fg", c.fg),
        backgroundColor: v("bg", c.bg),
        border: `1px solid ${v("border", c.border)}`,
        borderRadius: "6px",
        fontSize: "var(--code-font-size, 0.9375rem)",
      },
      "&.cm-focused": {
        outline: `2px solid ${v("focus-ring", c.focusRing)}`,
        outlineOffset: "2px",
      },
      ".cm-scroller": {
        fontFamily: FONT,
        lineHeight: String(LINE_HEIGHT),
        overflow: "auto",
        maxHeight: `calc(${MAX_LINES * LINE_HEIGHT}em + 8px)`,
        borderRadius: "inherit",
      },
      ".cm-content, .cm-gutter": {
        minHeight: `${MIN_LINES * LINE_HEIGHT}em`,
      },
      ".cm-content": {
        caretColor: v("cursor", c.cursor),
        fontFamily: FONT,
      },
      ".cm-cursor, .cm-dropCursor": {
        borderLeft: `2px solid ${v("cursor", c.cursor)}`,
      },
      "&.cm-focused > .cm-scroller > .cm-selectionLayer .cm-selectionBackground, .cm-selectionBackground, .cm-content ::selection":
        { backgroundColor: selection },
      ".cm-activeLine": {
        backgroundColor: v("active-line", c.activeLine),
      },
      ".cm-gutters": {
        backgroundColor: v("gutter-bg", c.gutterBg),
        color: v("gutter-fg", c.gutterFg),
        borderRight: `1px solid ${v("border", c.border)}`,
        fontFamily: FONT,
      },
      ".cm-activeLineGutter": {
        backgroundColor: v("active-line", c.activeLine),
        color: v("fg", c.fg),
      },
      ".cm-lineNumbers .cm-gutterElement": {
        padding: "0 8px 0 12px",
      },
      "&.cm-focused .cm-matchingBracket": {
        backgroundColor: v("match-bg", c.matchBg),
        outline: `1px solid ${v("match-outline", c.matchOutline)}`,
      },
      "&.cm-focused .cm-nonmatchingBracket": {
        color: v("keyword", c.keyword),
        outline: `1px dashed ${v("keyword", c.keyword)}`,
      },
    },
    { dark },
  );
}

function highlightStyle(c) {
  const v = (name, fallback) => `var(--code-${name}, ${fallback})`;
  const keyword = v("keyword", c.keyword);
  const number = v("number", c.number);
  const definition = v("definition", c.definition);
  return HighlightStyle.define([
    {
      tag: [t.keyword, t.controlKeyword, t.operatorKeyword, t.definitionKeyword, t.moduleKeyword, t.self],
      color: keyword,
    },
    { tag: [t.string, t.special(t.string), t.escape], color: v("string", c.string) },
    { tag: [t.comment, t.lineComment, t.blockComment], color: v("comment", c.comment), fontStyle: "italic" },
    { tag: [t.number, t.integer, t.float, t.bool, t.null, t.atom], color: number },
    {
      tag: [t.function(t.definition(t.variableName)), t.definition(t.variableName)],
      color: definition,
    },
    { tag: [t.definition(t.className), t.className, t.typeName], color: v("type", c.type) },
    { tag: t.meta, color: definition },
    { tag: t.invalid, color: keyword, textDecoration: "underline wavy" },
  ]);
}

const lightAppearance = [editorTheme(LIGHT, false), syntaxHighlighting(highlightStyle(LIGHT))];
const darkAppearance = [editorTheme(DARK, true), syntaxHighlighting(highlightStyle(DARK))];

let idCounter = 0;

function labelIdFor(textarea) {
  const label = textarea.labels && textarea.labels[0];
  if (!label) return null;
  if (!label.id) {
    let id = `${textarea.id || "prep-editor"}-label`;
    while (document.getElementById(id)) id = `${textarea.id || "prep-editor"}-label-${++idCounter}`;
    label.id = id;
  }
  return label.id;
}

export function createEditor(textarea, options = {}) {
  const { nonce, keys, onChange, language = "python" } = options;
  const doc = textarea.ownerDocument;
  const win = doc.defaultView;

  // tabindex: the editable content is in the tab order anyway; saying so lets checkers such as
  // axe see that the scrolling box around it holds something focusable.
  const contentAttrs = { "aria-multiline": "true", tabindex: "0" };
  const labelId = labelIdFor(textarea);
  if (labelId) contentAttrs["aria-labelledby"] = labelId;
  else if (textarea.getAttribute("aria-label")) contentAttrs["aria-label"] = textarea.getAttribute("aria-label");
  const describedBy = textarea.getAttribute("aria-describedby");
  if (describedBy) contentAttrs["aria-describedby"] = describedBy;

  const extraKeys = Object.entries(keys || {}).map(([key, run]) => ({
    key,
    run: (view) => !!run(view),
    preventDefault: true,
  }));

  const appearance = new Compartment();
  const darkQuery = win.matchMedia ? win.matchMedia("(prefers-color-scheme: dark)") : null;
  const isDark = () => !!(darkQuery && darkQuery.matches);

  // Typing over a selection: left to the browser's contentEditable, Chrome keeps the style of
  // the text it replaces by writing a style attribute, which the page's Content-Security-Policy
  // (no inline styles) refuses, with an error in the console. The editor inserts the text itself
  // instead, through the same input handlers (closeBrackets wraps a selection in brackets).
  const typeOverSelection = EditorView.domEventHandlers({
    beforeinput(event, view) {
      const range = view.state.selection.main;
      if (event.inputType !== "insertText" || event.isComposing || !event.data) return false;
      if (range.empty || view.state.selection.ranges.length > 1) return false;
      event.preventDefault();
      const text = event.data;
      const insert = () => view.state.replaceSelection(text);
      const handlers = view.state.facet(EditorView.inputHandler);
      if (!handlers.some((handler) => handler(view, range.from, range.to, text, insert))) {
        view.dispatch(insert(), { userEvent: "input.type", scrollIntoView: true });
      }
      return true;
    },
  });

  const extensions = [
    nonce ? EditorView.cspNonce.of(nonce) : [],
    EditorView.contentAttributes.of(contentAttrs),
    lineNumbers(),
    highlightActiveLineGutter(),
    highlightSpecialChars(),
    history(),
    drawSelection(),
    EditorState.tabSize.of(4),
    indentUnit.of("    "),
    indentOnInput(),
    bracketMatching(),
    closeBrackets(),
    highlightActiveLine(),
    language === "sql" ? sql({ dialect: SQLite, upperCaseKeywords: true }) : new LanguageSupport(pythonLanguage),
    appearance.of(isDark() ? darkAppearance : lightAppearance),
    keymap.of([...extraKeys, ...closeBracketsKeymap, ...defaultKeymap, ...historyKeymap, indentWithTab]),
    typeOverSelection,
    EditorView.updateListener.of((update) => {
      if (!update.docChanged) return;
      const text = update.state.doc.toString();
      textarea.value = text;
      if (onChange) onChange(text);
    }),
  ];

  const view = new EditorView({
    state: EditorState.create({ doc: textarea.value, extensions }),
  });
  textarea.hidden = true;
  textarea.after(view.dom);

  const onScheme = () => view.dispatch({ effects: appearance.reconfigure(isDark() ? darkAppearance : lightAppearance) });
  if (darkQuery) darkQuery.addEventListener("change", onScheme);

  // The hidden textarea can't take focus, so its label focuses the editor instead.
  const label = labelId ? doc.getElementById(labelId) : null;
  const onLabelClick = (event) => {
    event.preventDefault();
    view.focus();
  };
  if (label) label.addEventListener("click", onLabelClick);

  // A form reset restores the textarea's default value: show it in the editor too.
  const form = textarea.form;
  const onReset = () => win.setTimeout(() => setValue(textarea.value), 0);
  if (form) form.addEventListener("reset", onReset);

  function getValue() {
    return view.state.doc.toString();
  }

  function setValue(text) {
    text = text == null ? "" : String(text);
    if (text === getValue()) {
      textarea.value = text;
      return;
    }
    view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
  }

  let destroyed = false;
  function destroy() {
    if (destroyed) return;
    destroyed = true;
    textarea.value = getValue();
    if (darkQuery) darkQuery.removeEventListener("change", onScheme);
    if (label) label.removeEventListener("click", onLabelClick);
    if (form) form.removeEventListener("reset", onReset);
    view.destroy();
    view.dom.remove();
    textarea.hidden = false;
  }

  return {
    view,
    getValue,
    setValue,
    focus: () => view.focus(),
    destroy,
  };
}
