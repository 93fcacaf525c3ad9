// The Python runner: Pyodide (CPython compiled to WebAssembly) in a dedicated module worker.
// runner/views.py serves this file with CONFIG defined above it and a Content-Security-Policy of
// its own, under which this worker can load Pyodide's files and the test harness and reach
// nothing else: code typed into the editor cannot call Prep's URLs with the candidate's cookies.
//
// The message protocol, page -> worker:
//   {type: "load"}                                   start Python (once; later calls are no-ops)
//   {type: "run", id, code, tests: [{name, code}]}   run code against each test, in order
// worker -> page:
//   {type: "progress", loaded, total}                bytes of the runtime downloaded so far
//   {type: "ready", version}                         Python is ready to run
//   {type: "failed", message}                        Python could not start in this browser
//   {type: "started", id, name}                      a test began (a timeout names it)
//   {type: "result", id, result}                     a test ended: the harness's result format
//   {type: "done", id, status, message}              the run ended: "pass" | "fail" | "error"
//   {type: "crashed", id, message}                   Python itself failed: start a new worker
// The page enforces the time limit: it terminates this worker and starts a fresh one.

/* global CONFIG */
"use strict";

let python = null;
let harness = null;
let loading = null;

// Pyodide fetches its two large files (CONFIG.sizes) itself; while it starts, their bytes are
// counted on the way through, so that the page can show how far along the download is without
// reading them twice.
const plainFetch = self.fetch.bind(self);

function countingFetch(onBytes) {
  return async (input, init) => {
    const response = await plainFetch(input, init);
    const url = String(input instanceof Request ? input.url : input);
    const name = url.slice(url.lastIndexOf("/") + 1);
    if (!(name in CONFIG.sizes) || !response.body) return response;
    const counted = response.body.pipeThrough(
      new TransformStream({
        transform(chunk, controller) {
          onBytes(chunk.length);
          controller.enqueue(chunk);
        },
      }),
    );
    const { status, statusText, headers } = response;
    return new Response(counted, { status, statusText, headers });
  };
}

async function startPython() {
  const names = Object.keys(CONFIG.sizes);
  const total = names.reduce((sum, name) => sum + CONFIG.sizes[name], 0);
  let loaded = 0;
  const report = (bytes) => {
    loaded = Math.min(loaded + bytes, total);
    self.postMessage({ type: "progress", loaded, total });
  };
  self.fetch = countingFetch(report);
  const { loadPyodide } = await import(CONFIG.pyodideUrl + "pyodide.mjs");
  try {
    python = await loadPyodide({ indexURL: CONFIG.pyodideUrl, stdout: () => {}, stderr: () => {} });
  } finally {
    self.fetch = plainFetch;
  }
  const source = await (await fetch(CONFIG.harnessUrl)).text();
  python.FS.writeFile("/home/pyodide/prep_harness.py", source);
  harness = python.pyimport("prep_harness");
  self.postMessage({ type: "ready", version: python.version });
}

function load() {
  if (!loading) {
    loading = startPython().catch((error) => {
      self.postMessage({ type: "failed", message: String((error && error.message) || error) });
    });
  }
  return loading;
}

function plain(proxy) {
  const value = proxy.toJs({ dict_converter: Object.fromEntries });
  proxy.destroy();
  return value;
}

async function run({ id, code, tests }) {
  await load();
  if (!harness) return;
  const onStart = (name) => self.postMessage({ type: "started", id, name });
  const onResult = (result) => self.postMessage({ type: "result", id, result: plain(result) });
  const pyTests = python.toPy(tests);
  try {
    const report = plain(
      harness.run_tests.callKwargs(code, pyTests, { on_start: onStart, on_result: onResult }),
    );
    self.postMessage({ type: "done", id, status: report.status, message: report.message });
  } finally {
    pyTests.destroy();
  }
}

self.onmessage = (event) => {
  const message = event.data || {};
  if (message.type === "load") load();
  else if (message.type === "run") {
    run(message).catch((error) => {
      // Pyodide itself failed (a JavaScript stack overflow, out of memory): say so, and let
      // the page start a fresh worker.
      self.postMessage({ type: "crashed", id: message.id, message: String((error && error.message) || error) });
    });
  }
};
