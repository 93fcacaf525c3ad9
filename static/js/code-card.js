// Code cards: the code editor, and Run / Submit through the Python runner (runner.js).
//
// Progressive enhancement: without JavaScript a code card is a textarea and the self-graded
// path (Show answer, then grade). This module turns each `[data-code-runner]` block into:
//   mode "practice": an editor over the card's textarea; Run runs the visible tests; Submit runs
//                    every test and posts the code and results (the card's data-submit-form);
//   mode "rerun":    "Run the tests in my browser" on stored code (a mentor's view);
//   mode "check":    an editor's check in the admin: the reference solution must pass every
//                    test and the starter code must fail at least one.
// The tests come from the block's data-tests-json: {visible, all} (an attribute, not a JSON
// <script>, which htmx would drop from a swapped card). An SQL card's block has data-sql-json
// instead: the query runs in SQLite (runtime "sql") against each check's rows, and each result
// shows the candidate's table beside the expected one. A block with data-runtime="django" (an ORM exercise) has the runner load
// Django as soon as the card appears, and runs its tests with it.

import { runnerFor } from "./runner.js";

const OUTPUT_TO_POST = 4000; // the server stores the start of each output and message
// An SQL query stops itself at the time limit; the page waits this much longer before it
// terminates the worker (should SQLite not check the clock, say in a long sort).
const SQL_GRACE_MS = 2000;

let createEditor = null;
let editorLoading = null;

// The editor's code (370 KB) is fetched with the first code card, not with every page.
function loadEditor() {
  if (!editorLoading) {
    editorLoading = import("../vendor/codemirror/prep-editor.js")
      .then((module) => { createEditor = module.createEditor; })
      .catch(() => { /* the textarea stays: the runner works with it too */ });
  }
  return editorLoading;
}

const nonceMeta = document.querySelector("meta[name='csp-nonce']");
// The nonce of this document's policy: later htmx responses carry other nonces, which the
// document does not accept, so it is read once, at load.
const NONCE = nonceMeta ? nonceMeta.content || nonceMeta.nonce : "";

function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes || {})) {
    if (value === false || value === null || value === undefined) continue;
    if (key === "class") node.className = value;
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

const STATUS_LABELS = { pass: "Passed", fail: "Failed", error: "Error", timeout: "Timed out" };

function formatMs(ms) {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms * 10) / 10} ms`;
}

// A query's result table, as runner/_table.html renders a stored one: the first rows, with a
// count; NULL marked as such. A scrolling region of its own, reachable by keyboard.
function renderTable(table, label) {
  const shown = table.rows.length;
  const count = table.row_count === undefined ? shown : table.row_count;
  const summary = count === shown
    ? `${count} row${count === 1 ? "" : "s"}`
    : `${count} rows, the first ${shown} shown`;
  const head = el("tr", {}, ...table.columns.map((name) => el("th", { scope: "col" }, name)));
  const body = el("tbody", {}, ...table.rows.map((row) => el("tr", {}, ...row.map((value) => (
    value === null || value === undefined ? el("td", {}, el("span", { class: "null" }, "NULL")) : el("td", {}, String(value))
  )))));
  return el("div", { class: "result-table", role: "region", tabindex: "0", "aria-label": `${label} (${summary})` },
    el("table", {}, el("caption", {}, label, " ", el("span", { class: "muted small" }, `(${summary})`)),
      el("thead", {}, head), body));
}

// An SQL check's two tables side by side: the candidate's result (if the query ran) and the
// expected one (a check's `expected`: every row, shown by its first ones).
function renderQueryTables(table, expected) {
  const mine = table ? renderTable(table, "Your result")
    : el("p", { class: "result-table-missing muted" }, "Your result: none (the query did not run to the end).");
  const parts = [mine];
  if (expected) {
    const rows = expected.rows;
    parts.push(renderTable({ columns: expected.columns, rows: rows.slice(0, SQL_ROWS_SHOWN), row_count: rows.length }, "Expected"));
  }
  return el("div", { class: "query-tables" }, ...parts);
}

// The rows of a result a card shows (runner/browser/sql.py's ROWS_SHOWN).
const SQL_ROWS_SHOWN = 20;

// One run's results, as runner/_results.html renders stored ones; `expected` (an SQL card's):
// each check's expected result, by name, shown beside the candidate's table.
export function renderResults(report, { title, note, expected }) {
  const passed = report.results.filter((r) => r.status === "pass").length;
  const total = report.results.length;
  const section = el("section", { class: `test-results test-results-${report.status}` });
  section.append(
    el("h3", {}, `${title}: ${passed} of ${total} passed`),
    note ? el("p", { class: "small muted" }, note) : "", // append(null) writes "null"
  );
  if (report.message) section.append(el("pre", { class: "run-message" }, report.message));
  const list = el("ol", { class: "test-list" });
  for (const r of report.results) {
    const item = el("li", { class: `test test-${r.status}` });
    item.append(
      el("p", { class: "test-head" },
        el("span", { class: `badge test-badge-${r.status}` }, STATUS_LABELS[r.status] || r.status),
        " ", el("span", { class: "test-name" }, r.name),
        r.duration_ms ? el("span", { class: "muted small" }, ` ${formatMs(r.duration_ms)}`) : null),
    );
    if (r.message) item.append(el("pre", { class: "test-message" }, r.message));
    if (expected) item.append(renderQueryTables(r.table, expected[r.name]));
    if (r.output) {
      item.append(el("details", { class: "test-output" },
        el("summary", {}, "Output" + (r.output_truncated ? " (truncated)" : "")),
        el("pre", {}, r.output),
        r.output_truncated ? el("p", { class: "small muted" }, "Output truncated: only the start is shown.") : null));
    }
    if (r.test_code) {
      item.append(el("details", { class: "test-code" }, el("summary", {}, "Test code"), el("pre", {}, r.test_code)));
    }
    list.append(item);
  }
  section.append(list);
  return section;
}

const RUNTIME_NAMES = { django: "Django", sql: "SQLite" };

function loadingText(name, progress) {
  if (progress.total) {
    const percent = Math.min(99, Math.floor((100 * progress.loaded) / progress.total));
    return `Loading ${name}… ${percent}%`;
  }
  return `Loading ${name}…`;
}

// Where a block stands: Python's phase, then (once Python is ready) its runtime's, if any.
function phaseOf(state, runtime) {
  if (state.phase !== "ready" || !runtime) return state.phase;
  return (state.runtimes[runtime] || { phase: "loading" }).phase;
}

function phaseText(state, runtime) {
  // An SQL card speaks of SQLite only: Python is how it runs, not what the candidate writes.
  if (runtime === "sql") return sqlPhaseText(state);
  if (state.phase === "failed") return `Python could not start in this browser (${state.message}).`;
  if (state.phase !== "ready") return loadingText("Python", state);
  if (!runtime) return "Python is ready.";
  const name = RUNTIME_NAMES[runtime] || runtime;
  const extra = state.runtimes[runtime] || { phase: "loading", loaded: 0, total: 0 };
  if (extra.phase === "failed") return `${name} could not start in this browser (${extra.message}).`;
  if (extra.phase !== "ready") return loadingText(name, extra);
  return `Python and ${name} are ready.`;
}

function sqlPhaseText(state) {
  const extra = state.runtimes.sql || { phase: "loading", message: "" };
  if (state.phase === "failed" || extra.phase === "failed") {
    return `SQLite could not start in this browser (${state.phase === "failed" ? state.message : extra.message}).`;
  }
  if (state.phase !== "ready") return loadingText("SQLite", state);
  return extra.phase === "ready" ? "SQLite is ready." : "Loading SQLite…";
}

function readTests(block) {
  return block.dataset.testsJson ? JSON.parse(block.dataset.testsJson) : { visible: [], all: [] };
}

function clip(text) {
  return text.length > OUTPUT_TO_POST ? text.slice(0, OUTPUT_TO_POST) : text;
}

function forPosting(results) {
  return results.map((r) => ({
    name: r.name,
    status: r.status,
    message: clip(r.message || ""),
    output: clip(r.output || ""),
    output_truncated: Boolean(r.output_truncated) || (r.output || "").length > OUTPUT_TO_POST,
    duration_ms: Number(r.duration_ms) || 0,
    ...("table" in r ? { table: r.table || null } : {}), // an SQL check's result table
  }));
}

class CodeBlock {
  constructor(block) {
    this.block = block;
    this.mode = block.dataset.mode || "practice";
    this.tests = readTests(block);
    this.timeLimitMs = 1000 * (Number(block.dataset.timeLimit) || 5);
    this.runner = runnerFor(block.dataset.workerUrl);
    this.runtime = block.dataset.runtime || "";
    // An SQL card: {schema, ordered, checks: {visible, all}}, each check {name, rows, expected}.
    this.sql = block.dataset.sqlJson ? JSON.parse(block.dataset.sqlJson) : null;
    if (this.sql) {
      this.tests = this.sql.checks;
      this.runtime = "sql";
      this.expected = Object.fromEntries(this.tests.all.map((check) => [check.name, check.expected]));
    }
    if (this.runtime) this.runner.require(this.runtime);
    this.status = block.querySelector("[data-runner-status]");
    this.output = block.querySelector("[data-runner-results]");
    this.buttons = Array.from(block.querySelectorAll("[data-run], [data-submit], [data-check], [data-rerun]"));
    this.busy = false;
    block.hidden = false;
    block.querySelectorAll("[data-when-python-fails]").forEach((n) => { n.hidden = true; });
    this.bind();
    this.unsubscribe = this.runner.subscribe((state) => this.show(state));
  }

  bind() {
    const on = (selector, handler) => {
      const button = this.block.querySelector(selector);
      if (button) button.addEventListener("click", handler);
    };
    on("[data-run]", () => this.run(false));
    on("[data-submit]", () => this.run(true));
    on("[data-rerun]", () => this.rerun());
    on("[data-check]", () => this.check());
    if (this.mode === "practice") this.attachEditor();
  }

  textarea() {
    return document.getElementById(this.block.dataset.editorFor);
  }

  draftKey() {
    return `prep-code-${this.block.dataset.draft}`;
  }

  async attachEditor() {
    const textarea = this.textarea();
    if (!textarea) return;
    try {
      const draft = this.block.dataset.draft && window.sessionStorage.getItem(this.draftKey());
      if (draft !== null && draft !== "" && draft !== undefined) textarea.value = draft;
    } catch (error) { /* storage may be off: the server's copy stands */ }
    const changed = (text) => {
      this.markStale();
      try {
        if (this.block.dataset.draft) window.sessionStorage.setItem(this.draftKey(), text);
      } catch (error) { /* ignore */ }
    };
    await loadEditor();
    if (!document.contains(textarea)) return; // the card was swapped meanwhile
    const keys = {
      "Mod-Enter": () => { this.run(false); return true; },
      "Shift-Mod-Enter": () => { this.run(true); return true; },
    };
    if (createEditor) {
      const language = this.sql ? "sql" : "python";
      this.editor = createEditor(textarea, { nonce: NONCE, keys, onChange: changed, language });
    } else {
      textarea.addEventListener("input", () => changed(textarea.value));
      textarea.addEventListener("keydown", (event) => {
        if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey)) return;
        event.preventDefault();
        this.run(event.shiftKey);
      });
    }
  }

  code() {
    return this.editor ? this.editor.getValue() : this.textarea().value;
  }

  markStale() {
    const results = this.output.querySelector(".test-results");
    if (!results || results.classList.contains("is-stale")) return;
    results.classList.add("is-stale");
    results.prepend(el("p", { class: "stale-note" }, "Your code has changed since these results: run it again."));
  }

  show(state) {
    if (!document.contains(this.block)) { // swapped out by htmx: stop listening
      if (this.unsubscribe) this.unsubscribe();
      return;
    }
    if (this.status && !this.busy) this.status.textContent = phaseText(state, this.runtime);
    const phase = phaseOf(state, this.runtime);
    const ready = phase === "ready";
    // Whether Python (or the card's runtime) started from this browser's snapshot (runner.js).
    if (ready) this.block.dataset.restored = String(Boolean((this.runtime ? state.runtimes[this.runtime] : state).restored));
    for (const button of this.buttons) {
      button.disabled = !ready || this.busy;
    }
    this.block.classList.toggle("runner-failed", phase === "failed");
    const fallback = this.block.querySelectorAll("[data-when-python-fails]");
    fallback.forEach((n) => { n.hidden = phase !== "failed"; });
    // Buttons that post a typed answer without running it step back while Python can run.
    const card = this.block.closest(".practice-card");
    if (card) card.querySelectorAll("[data-when-python-cannot-run]").forEach((n) => { n.hidden = ready; });
  }

  async execute(code, tests, label) {
    this.busy = true;
    this.show(this.runner.state);
    this.status.textContent = `Running ${label}…`;
    let report;
    try {
      const job = { code, tests, timeLimitMs: this.timeLimitMs, runtime: this.runtime || null };
      if (this.sql) {
        // The query stops itself at the time limit; the page's own limit is the backstop.
        job.sql = { schema: this.sql.schema, ordered: this.sql.ordered, timeLimit: this.timeLimitMs / 1000 };
        job.timeLimitMs = this.timeLimitMs + SQL_GRACE_MS;
      }
      report = await this.runner.run(job);
    } catch (error) {
      report = { status: "error", message: String(error.message || error), results: [] };
    }
    this.busy = false;
    this.show(this.runner.state);
    return report;
  }

  announce(report, what) {
    const passed = report.results.filter((r) => r.status === "pass").length;
    const noun = this.sql ? "checks" : "tests";
    if (this.sql && report.status === "timeout") {
      this.status.textContent = `${what}: the query was stopped at the time limit.`;
      return;
    }
    this.status.textContent = `${what}: ${passed} of ${report.results.length} ${noun} passed.`;
  }

  async run(submit) {
    if (this.busy || phaseOf(this.runner.state, this.runtime) !== "ready") return;
    const tests = submit ? this.tests.all : this.tests.visible;
    const sql = Boolean(this.sql);
    const label = submit ? (sql ? "the query on every row set" : "every test")
      : (sql ? "the query" : "the examples");
    const report = await this.execute(this.code(), tests, label);
    const runNote = sql ? "Ran in your browser on the visible rows, not recorded."
      : "Ran in your browser: examples only, not recorded.";
    this.output.replaceChildren(renderResults(report, {
      title: submit ? "Submitted" : (sql ? "Run" : "Examples"),
      note: submit ? "Ran in your browser. Saving…" : runNote,
      expected: this.expected,
    }));
    this.announce(report, submit ? "Submitted" : (sql ? "Run" : "Examples"));
    if (submit && report.results.length) this.post(report);
  }

  post(report) {
    const form = document.getElementById(this.block.dataset.submitForm);
    form.elements.code.value = this.code();
    form.elements.results.value = JSON.stringify(forPosting(report.results));
    if (form.requestSubmit) form.requestSubmit();
    else form.submit();
  }

  async rerun() {
    const code = this.block.querySelector("[data-code]").value;
    const report = await this.execute(code, this.tests.all, "every test");
    this.output.replaceChildren(renderResults(report, { title: "Run in your browser", note: "" }));
    this.announce(report, "Run in your browser");
  }

  async check() {
    const codes = JSON.parse(this.block.dataset.codesJson);
    const solution = await this.execute(codes.solution, this.tests.all, "the reference solution");
    const starter = codes.starter
      ? await this.execute(codes.starter, this.tests.all, "the starter code")
      : null;
    const solutionOk = solution.status === "pass";
    const starterOk = !starter || starter.results.some((r) => r.status !== "pass");
    const verdict = solutionOk && starterOk
      ? "Good: the reference solution passes every test and the starter code fails at least one."
      : [
          solutionOk ? "" : "The reference solution does not pass every test.",
          starterOk ? "" : "The starter code passes every test: add a test it fails.",
        ].filter(Boolean).join(" ");
    this.output.replaceChildren(
      el("p", { class: `message ${solutionOk && starterOk ? "message-success" : "message-error"}` }, verdict),
      renderResults(solution, { title: "Reference solution", note: "" }),
      starter ? renderResults(starter, { title: "Starter code", note: "" }) : "",
    );
    this.status.textContent = verdict;
  }
}

function upgrade(root) {
  const blocks = root.querySelectorAll ? root.querySelectorAll("[data-code-runner]") : [];
  for (const block of blocks) {
    if (block.prepCodeBlock) continue;
    block.prepCodeBlock = new CodeBlock(block);
  }
}

upgrade(document);
// htmx:load fires for each piece of content htmx puts into the page (a swapped card).
document.addEventListener("htmx:load", (event) => upgrade(event.target));
