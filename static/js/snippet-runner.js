// The admin's "Run the snippet" (a predict-the-output question's change page): runs what the
// Snippet box holds now, in the editor's own browser, through the Python runner (runner.js,
// the worker candidates use), and fills in Expected output with what it printed. The editor
// then saves; nothing is sent anywhere before that. A snippet that does not compile, or does not
// finish within the time limit, fills in nothing and says why.
//
// The block comes from templates/admin/questions/question/change_form.html, hidden: this moves
// it under the Expected output box and shows it. Without JavaScript it stays hidden (a
// <noscript> note says to run the snippet by hand).

import { runnerFor } from "./runner.js";

function phaseText(state) {
  if (state.phase === "failed") return `Python could not start in this browser (${state.message}).`;
  if (state.phase !== "ready") {
    if (!state.total) return "Loading Python…";
    return `Loading Python… ${Math.min(99, Math.floor((100 * state.loaded) / state.total))}%`;
  }
  return "Python is ready.";
}

function lineCount(text) {
  const lines = text.replace(/\s+$/, "").split("\n");
  return lines.length === 1 && !lines[0] ? 0 : lines.length;
}

class SnippetRunner {
  constructor(block) {
    this.block = block;
    this.snippet = document.getElementById(block.dataset.snippetField);
    this.expected = document.getElementById(block.dataset.outputField);
    this.button = block.querySelector("[data-run-snippet]");
    this.status = block.querySelector("[data-snippet-status]");
    this.detail = block.querySelector("[data-snippet-detail]");
    this.timeLimitMs = 1000 * (Number(block.dataset.timeLimit) || 5);
    this.busy = false;
    if (!this.snippet || !this.expected) return; // the form has no such fields: stay hidden
    // Under the Expected output box, inside its (collapsible) fieldset.
    const row = this.expected.closest(".form-row") || this.expected.parentElement;
    row.after(block);
    block.hidden = false;
    this.button.addEventListener("click", () => this.run());
    // Python (megabytes) loads for a predict-the-output question only, or once asked for.
    const kind = document.getElementById("id_kind");
    if (!kind || kind.value === "predict_output") {
      this.start();
    } else {
      this.button.disabled = false;
      this.status.textContent = "Python starts when you first run a snippet.";
      kind.addEventListener("change", () => { if (kind.value === "predict_output") this.start(); });
    }
  }

  start() {
    if (this.runner) return;
    this.runner = runnerFor(this.block.dataset.workerUrl);
    this.runner.subscribe((state) => this.show(state));
  }

  show(state) {
    this.button.disabled = state.phase !== "ready" || this.busy;
    if (!this.busy && !this.reported) this.status.textContent = phaseText(state);
    if (state.phase === "ready" && this.waiting) {
      this.waiting = false;
      this.run();
    }
  }

  async run() {
    if (!this.runner) { // the first click on another kind's page: start Python, then run
      this.waiting = true;
      this.start();
      return;
    }
    if (this.busy || this.runner.state.phase !== "ready") return;
    const code = this.snippet.value;
    if (!code.trim()) {
      this.report("The snippet is empty: write it first.", "");
      return;
    }
    this.busy = true;
    this.show(this.runner.state);
    this.status.textContent = "Running the snippet…";
    let run;
    try {
      run = await this.runner.runSnippet({ code, timeLimitMs: this.timeLimitMs });
    } catch (error) {
      run = { status: "error", message: String(error.message || error), output: "" };
    }
    this.busy = false;
    if (run.status === "pass") {
      this.expected.value = run.output.replace(/\s+$/, "");
      this.expected.dispatchEvent(new Event("input", { bubbles: true }));
      const lines = lineCount(run.output);
      this.report(
        `Expected output filled in: ${lines} line${lines === 1 ? "" : "s"}. Save the question to keep it.`,
        "",
      );
    } else if (run.status === "timeout") {
      this.report(`The snippet did not finish within ${this.timeLimitMs / 1000} s: nothing was filled in.`, "");
    } else {
      this.report("The snippet does not run: nothing was filled in.", run.message);
    }
    this.show(this.runner.state);
  }

  report(text, detail) {
    this.reported = true;
    this.status.textContent = text;
    this.detail.textContent = detail;
    this.detail.hidden = !detail;
  }
}

for (const block of document.querySelectorAll("[data-snippet-runner]")) {
  block.prepSnippetRunner = new SnippetRunner(block);
}
