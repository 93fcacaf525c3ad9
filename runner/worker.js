// The Python runner: Pyodide (CPython compiled to WebAssembly) in a dedicated module worker.
// runner/views.py serves this file with CONFIG defined above it and a Content-Security-Policy of
// its own, under which this worker can load Pyodide's files and the test harness and reach
// nothing else: code typed into the editor cannot call Prep's URLs with the candidate's cookies.
//
// The message protocol, page -> worker:
//   {type: "load", snapshots?}                       start Python (once; later calls are no-ops);
//                                                    snapshots: {name: SHA-256} the page trusts
//                                                    (see "Snapshots" below)
//   {type: "load", runtime: "django"}                start Python, then Django too (once)
//   {type: "run", id, code, tests: [{name, code}], runtime?}
//                                                    run code against each test, in order; with
//                                                    runtime "django" (the ORM exercises), each
//                                                    test gets Django and a fresh database
//   {type: "run", id, code, tests, runtime: "sql", sql: {schema, ordered, timeLimit}}
//                                                    an SQL question: run the query `code` on a
//                                                    fresh SQLite database of each test
//                                                    ({name, rows, expected: {columns, rows}})
//                                                    and compare (runner/browser/sql.py); it
//                                                    stops itself at timeLimit (seconds), and
//                                                    each result carries its `table`
//   {type: "snippet", id, code}                      run a "predict the output" snippet on its
//                                                    own (harness.run_snippet)
// worker -> page:
//   {type: "progress", loaded, total, runtime?}      bytes downloaded so far: of Python, or with
//                                                    runtime, of that runtime (Django's archive)
//   {type: "ready", version, runtime?, restored, snapshot}
//                                                    Python (with runtime: that runtime too) is
//                                                    ready to run; restored: whether it came from
//                                                    a snapshot; snapshot: {name, digest} of one
//                                                    made now, before any code of the page ran
//   {type: "failed", message, runtime?}              Python (or that runtime) could not start
//   {type: "started", id, name}                      a test began (a timeout names it)
//   {type: "result", id, result}                     a test ended: the harness's result format
//   {type: "done", id, status, message}              the run ended: "pass" | "fail" | "error"
//   {type: "done", id, status, message, output}      a snippet's run ended: "pass" (it ran, and
//                                                    output is what it printed, its exception
//                                                    last) or "error" (it does not compile)
//   {type: "crashed", id, message}                   Python itself failed: start a new worker
// The page enforces the time limit: it terminates this worker and starts a fresh one. It sends a
// run that needs a runtime once that runtime is ready, so that loading it is not timed; a run
// that comes earlier waits here for the runtime (and fails its tests if it cannot start).
//
// Django (runtime "django"): on the first load or run that asks for it, its archive
// (CONFIG.django.archive: Django and its dependencies as one zip of bytecode, made by
// runner/assets.py) is downloaded, while Python starts, and put on Python's path, and orm.py
// (CONFIG.django.ormUrl) is written beside the harness; the harness then configures Django and
// seeds the exercise database. All of it stays for later runs
// of this worker (a fresh worker, after a timeout, starts again from the browser's cache).

// Snapshots: starting Python (and Django) takes seconds, most of it the same work on every page.
// So the first worker that gets ready, before it runs any code of the page, takes a copy of
// Python's memory (Pyodide's memory snapshot: "python", or "django" with Django configured and
// its exercise database seeded) and keeps it in the browser's Cache Storage; the next page
// starts from it in a fraction of the time. The code a page runs can reach Cache Storage too,
// so a snapshot is used only when its SHA-256 is the one the page was told when it was made
// (the page keeps it in localStorage, where a worker cannot write), and a snapshot is never
// made once code of the page has run. Anything wrong with a snapshot: Python starts as usual.
// The name of a snapshot carries CONFIG.snapshotKey, which changes with Pyodide, the harness,
// orm.py or Django's archive.

/* global CONFIG */
"use strict";

let python = null;
let harness = null;
let sqlModule = null; // runner/browser/sql.py, once the "sql" runtime is ready
let loading = null;
const runtimes = new Map(); // runtime name -> the promise of it being ready

const SNAPSHOTS = "prep-runner-snapshots"; // the Cache Storage cache that holds them
let trusted = null; // snapshot name -> SHA-256, from the page's first "load" (null: none kept)
let wantsDjango = false; // asked for with the first "load": start from Django's snapshot
let restored = null; // the snapshot Python started from ("python" | "django"), if any
let codeRan = false; // once code of the page has run, this Python is not snapshot material
let snapshotting = false; // started in Pyodide's snapshot mode, and no snapshot taken yet

// Pyodide fetches its two large files (CONFIG.sizes) itself; while it starts, the bytes of a
// copy of each response are counted, so that the page can show how far along the download is.
// Pyodide gets the response itself: compiled from a response of the HTTP cache, the WebAssembly
// module is kept in the browser's code cache, and the next page starts without compiling it.
const plainFetch = self.fetch.bind(self);

async function countBytes(body, onBytes) {
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    onBytes(value.length);
  }
}

function countingFetch(onBytes) {
  return async (input, init) => {
    const response = await plainFetch(input, init);
    const url = String(input instanceof Request ? input.url : input);
    const name = url.slice(url.lastIndexOf("/") + 1);
    if (!(name in CONFIG.sizes) || !response.body) return response;
    countBytes(response.clone().body, onBytes).catch(() => {});
    return response;
  };
}

function snapshotName(kind) {
  return `${kind}-${CONFIG.snapshotKey}`;
}

function snapshotUrl(name) {
  return `${self.location.origin}/runner-snapshots/${name}`;
}

async function sha256(bytes) {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

// The stored snapshot of this kind, if the page trusts its digest; null otherwise.
async function storedSnapshot(kind) {
  const name = snapshotName(kind);
  if (!trusted[name] || typeof caches === "undefined") return null;
  try {
    const cache = await caches.open(SNAPSHOTS);
    const response = await cache.match(snapshotUrl(name));
    if (!response) return null;
    const bytes = new Uint8Array(await response.arrayBuffer());
    if ((await sha256(bytes)) === trusted[name]) return bytes;
    await cache.delete(snapshotUrl(name));
  } catch (error) {
    // No Cache Storage here (a page not served over HTTPS), or it failed: start as usual.
  }
  return null;
}

// A snapshot of this Python as it is now, stored for the next pages; its {name, digest}, or null
// when this Python cannot give one (it did not start in snapshot mode, or code of the page ran).
async function takeSnapshot(kind) {
  if (!snapshotting || codeRan) return null;
  try {
    const bytes = python.makeMemorySnapshot();
    leaveSnapshotMode();
    const name = snapshotName(kind);
    const digest = await sha256(bytes);
    // Stored before the page hears of it: a worker is stopped when its page goes.
    const cache = await caches.open(SNAPSHOTS);
    await cache.put(snapshotUrl(name), new Response(bytes));
    cache.keys().then((requests) => Promise.all(requests
      .filter((request) => !request.url.endsWith(CONFIG.snapshotKey))
      .map((request) => cache.delete(request)))).catch(() => {}); // other versions' snapshots
    return { name, digest };
  } catch (error) {
    leaveSnapshotMode();
    return null;
  }
}

// In snapshot mode Python sees JavaScript's globals through Pyodide's recording proxy, on which
// getters such as `location` fail; once no snapshot will be taken, `js` is the real global scope.
function leaveSnapshotMode() {
  if (!snapshotting) return;
  snapshotting = false;
  python.registerJsModule("js", self);
  python.runPython("import sys; sys.modules.pop('js', None)");
}

// Pyodide from a snapshot: its memory starts at the WebAssembly module's own size, so it is grown
// to the snapshot's before the snapshot is copied in.
async function restore(loadPyodide, bytes) {
  const { default: createModule } = await import(CONFIG.pyodideUrl + "pyodide.asm.mjs");
  return loadPyodide({
    indexURL: CONFIG.pyodideUrl,
    stdout: () => {},
    stderr: () => {},
    _loadSnapshot: bytes,
    createPyodideModule: async (settings) => {
      const module = await createModule(settings);
      module.growMemory(bytes.length);
      return module;
    },
  });
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
  // By now the page's first messages have arrived: whether it wants Django is known.
  const kind = wantsDjango ? "django" : "python";
  try {
    const snapshot = trusted ? await storedSnapshot(kind) : null;
    if (snapshot) {
      try {
        python = await restore(loadPyodide, snapshot);
        restored = kind;
      } catch (error) {
        caches.open(SNAPSHOTS).then((cache) => cache.delete(snapshotUrl(snapshotName(kind))));
      }
    }
    if (!python) {
      // Snapshot mode only where the snapshot can be kept and checked.
      snapshotting = trusted !== null && typeof caches !== "undefined";
      python = await loadPyodide({
        indexURL: CONFIG.pyodideUrl, stdout: () => {}, stderr: () => {}, _makeSnapshot: snapshotting,
      });
    }
  } finally {
    self.fetch = plainFetch;
  }
  if (!restored) {
    const source = await (await fetch(CONFIG.harnessUrl)).text();
    python.FS.writeFile("/home/pyodide/prep_harness.py", source);
  }
  harness = python.pyimport("prep_harness");
  const snapshot = kind === "python" ? await takeSnapshot("python") : null;
  self.postMessage({ type: "ready", version: python.version, restored: Boolean(restored), snapshot });
}

function load() {
  if (!loading) {
    loading = startPython().catch((error) => {
      self.postMessage({ type: "failed", message: String((error && error.message) || error) });
    });
  }
  return loading;
}

async function downloadBytes(url, onBytes) {
  const response = await plainFetch(url);
  if (!response.ok || !response.body) throw new Error(`${url}: HTTP ${response.status}`);
  const chunks = [];
  let size = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.length;
    onBytes(value.length);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}

async function startDjango() {
  // Django's archive downloads while Python starts: they do not wait for each other.
  const { archive, ormUrl } = CONFIG.django;
  let loaded = 0;
  const report = (bytes) => {
    loaded = Math.min(loaded + bytes, archive.size);
    self.postMessage({ type: "progress", runtime: "django", loaded, total: archive.size });
  };
  const files = Promise.all([
    downloadBytes(archive.url, report),
    plainFetch(ormUrl).then((response) => {
      if (!response.ok) throw new Error(`${ormUrl}: HTTP ${response.status}`);
      return response.text();
    }),
  ]);
  await load();
  if (!harness) throw new Error("Python could not start");
  const [bytes, source] = await files;
  // Written again after a snapshot too: Python's memory has Django's modules, not the files.
  python.FS.writeFile("/lib/runner-django.zip", bytes);
  python.FS.writeFile("/home/pyodide/orm.py", source);
  if (restored !== "django") {
    python.runPython(
      "import importlib, sys; sys.path.insert(0, '/lib/runner-django.zip'); importlib.invalidate_caches()",
    );
  }
  harness.prepare_runtime("django"); // imports Django, configures it, seeds the database
  const snapshot = await takeSnapshot("django");
  self.postMessage({
    type: "ready", runtime: "django", version: python.version, restored: restored === "django", snapshot,
  });
}

// SQL (runtime "sql"): sql.py (CONFIG.sqlUrl) is written beside the harness and imported, with
// Python's sqlite3. Every run builds fresh in-memory databases, so nothing else stays.
async function startSql() {
  await load();
  if (!harness) throw new Error("Python could not start");
  const response = await fetch(CONFIG.sqlUrl);
  if (!response.ok) throw new Error(`${CONFIG.sqlUrl}: HTTP ${response.status}`);
  python.FS.writeFile("/home/pyodide/prep_sql.py", await response.text());
  sqlModule = python.pyimport("prep_sql");
  self.postMessage({ type: "ready", runtime: "sql", version: python.version });
}

function loadRuntime(runtime) {
  if (!runtimes.has(runtime)) {
    const starters = { django: startDjango, sql: startSql };
    const starting = starters[runtime]
      ? starters[runtime]()
      : Promise.reject(new Error(`unknown runtime “${runtime}”`));
    runtimes.set(runtime, starting.catch((error) => {
      const message = String((error && error.message) || error);
      self.postMessage({ type: "failed", runtime, message });
      throw new Error(message);
    }));
  }
  return runtimes.get(runtime);
}

function plain(proxy) {
  const value = proxy.toJs({ dict_converter: Object.fromEntries });
  proxy.destroy();
  return value;
}

async function run({ id, code, tests, runtime, sql }) {
  await load();
  if (!harness) return;
  if (runtime) {
    try {
      await loadRuntime(runtime);
    } catch (error) {
      // Run anyway: the harness reports every test as not run, saying why.
    }
  }
  leaveSnapshotMode();
  if (runtime === "sql") {
    runQuery({ id, code, tests, sql });
    return;
  }
  let sent = 0;
  const onStart = (name) => self.postMessage({ type: "started", id, name });
  const onResult = (result) => {
    sent += 1;
    self.postMessage({ type: "result", id, result: plain(result) });
  };
  const pyTests = python.toPy(tests);
  try {
    const options = { on_start: onStart, on_result: onResult };
    if (runtime) options.runtime = runtime; // (JavaScript's null would reach Python as jsnull)
    const report = plain(harness.run_tests.callKwargs(code, pyTests, options));
    // Tests that did not run (the code does not compile, the runtime could not start) have
    // results too, with the reason.
    for (const result of report.results.slice(sent)) self.postMessage({ type: "result", id, result });
    self.postMessage({ type: "done", id, status: report.status, message: report.message });
  } finally {
    pyTests.destroy();
  }
}

function runQuery({ id, code, tests, sql }) {
  if (!sqlModule) {
    for (const test of tests) {
      const result = {
        name: test.name, status: "error", message: "Not run: SQLite could not start.",
        output: "", output_truncated: false, duration_ms: 0, table: null,
      };
      self.postMessage({ type: "result", id, result });
    }
    self.postMessage({ type: "done", id, status: "error", message: "SQLite could not start." });
    return;
  }
  const job = JSON.stringify({
    query: code, schema: sql.schema, checks: tests, ordered: sql.ordered, time_limit: sql.timeLimit,
  });
  const onStart = (name) => self.postMessage({ type: "started", id, name });
  const onResult = (text) => self.postMessage({ type: "result", id, result: JSON.parse(text) });
  const report = JSON.parse(sqlModule.run_job(job, onStart, onResult));
  self.postMessage({ type: "done", id, status: report.status, message: report.message });
}

async function runSnippet({ id, code }) {
  await load();
  if (!harness) return;
  leaveSnapshotMode();
  const report = plain(harness.run_snippet(code));
  self.postMessage({ type: "done", id, status: report.status, message: report.message, output: report.output });
}

self.onmessage = (event) => {
  const message = event.data || {};
  if (message.type === "load" && message.runtime) {
    if (message.runtime === "django") wantsDjango = true; // read once, as Python starts
    loadRuntime(message.runtime).catch(() => {});
  } else if (message.type === "load") {
    if (!loading) trusted = message.snapshots || null;
    load();
  }
  else if (message.type === "run" || message.type === "snippet") {
    codeRan = true;
    (message.type === "run" ? run(message) : runSnippet(message)).catch((error) => {
      // Pyodide itself failed (a JavaScript stack overflow, out of memory): say so, and let
      // the page start a fresh worker.
      self.postMessage({ type: "crashed", id: message.id, message: String((error && error.message) || error) });
    });
  }
};
