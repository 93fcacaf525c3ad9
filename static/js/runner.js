// The page's side of the Python runner: one worker per page (runner/worker.js, whose header
// documents the message protocol), kept alive across htmx card swaps, with the time limit.
//
//   const runner = runnerFor(workerUrl);       // the same object for the same URL on a page
//   runner.require("django");                  // load a runtime as well (the ORM exercises'
//                                              // Django), ahead of the first run that needs it
//   runner.subscribe((state) => ...);          // {phase: "loading"|"ready"|"failed", loaded,
//                                              //  total, message, restored, runtimes: {django:
//                                              //  {phase, loaded, total, message, restored}}};
//                                              //  called at once, then on change (restored:
//                                              //  started from a snapshot, worker.js)
//   const report = await runner.run({code, tests, timeLimitMs, onResult, runtime});
//   // report: {status: "pass"|"fail"|"error"|"timeout", message, results: [...]}
//   const run = await runner.runSnippet({code, timeLimitMs});   // "predict the output"
//   // run: {status: "pass"|"error"|"timeout", message, output} (output: what it printed, its
//   //      uncaught exception as a last line `ExceptionType: message`)
//
// A run with a runtime waits until that runtime is ready before it is sent and timed: loading
// Django is not part of the time limit. If the runtime cannot start, every test is "not run".
//
// Python runs synchronously inside the worker, so an endless loop cannot be interrupted there:
// at the time limit the worker is terminated, the test it was in is reported as "timeout",
// the tests after it as not run, and a fresh worker starts loading at once.

const runners = new Map();
// The digests of the worker's snapshots of Python (runner/worker.js, "Snapshots"), by name. Kept
// here, in localStorage, because a worker, and so the code it runs, cannot write to it.
const SNAPSHOT_DIGESTS = "prep-runner-snapshots";

// null where localStorage cannot be used: then the worker takes no snapshot.
function trustedSnapshots() {
  let stored;
  try {
    stored = window.localStorage.getItem(SNAPSHOT_DIGESTS);
  } catch (error) {
    return null;
  }
  try {
    return JSON.parse(stored) || {};
  } catch (error) {
    return {};
  }
}

// Trust a snapshot made by a worker before any code ran in it; forget those of other versions
// (a name is "<kind>-<key>", and the key changes with the runner's files).
function trustSnapshot({ name, digest }) {
  const key = name.slice(name.indexOf("-") + 1);
  const kept = Object.entries(trustedSnapshots() || {}).filter(([other]) => other.endsWith(`-${key}`));
  try {
    window.localStorage.setItem(SNAPSHOT_DIGESTS, JSON.stringify({ ...Object.fromEntries(kept), [name]: digest }));
  } catch (error) { /* storage may be off: the next page starts without a snapshot */ }
}

const RUNTIME_NAMES = { django: "Django", sql: "SQLite" };
const LOADING = { phase: "loading", loaded: 0, total: 0, message: "" };

export function runnerFor(workerUrl) {
  if (!runners.has(workerUrl)) runners.set(workerUrl, new Runner(workerUrl));
  return runners.get(workerUrl);
}

function result(name, code, status, message) {
  return {
    name, status, message, test_code: code, output: "", output_truncated: false, duration_ms: 0,
  };
}

class Runner {
  constructor(workerUrl) {
    this.workerUrl = workerUrl;
    this.listeners = new Set();
    this.wanted = new Set(); // the runtimes asked for: each fresh worker loads them again
    this.state = { ...LOADING, runtimes: {} };
    this.nextId = 1;
    this.current = null; // the run in progress: {id, tests, results, running, resolve, timer}
    this.start();
  }

  subscribe(listener) {
    this.listeners.add(listener);
    listener(this.state);
    return () => this.listeners.delete(listener);
  }

  setState(changes) {
    this.state = { ...this.state, ...changes };
    this.listeners.forEach((listener) => listener(this.state));
  }

  setRuntime(runtime, changes) {
    const current = this.state.runtimes[runtime] || LOADING;
    this.setState({ runtimes: { ...this.state.runtimes, [runtime]: { ...current, ...changes } } });
  }

  require(runtime) {
    if (this.wanted.has(runtime)) return;
    this.wanted.add(runtime);
    this.setRuntime(runtime, LOADING);
    if (this.worker) this.worker.postMessage({ type: "load", runtime });
  }

  // Resolves true once the runtime is ready, false if it (or Python) cannot start.
  runtimeReady(runtime) {
    this.require(runtime);
    return new Promise((resolve) => {
      let settled = false;
      let unsubscribe = null;
      unsubscribe = this.subscribe((state) => {
        const extra = state.runtimes[runtime] || LOADING;
        const outcome = extra.phase === "ready" ? true
          : extra.phase === "failed" || state.phase === "failed" ? false : null;
        if (outcome === null || settled) return;
        settled = true;
        if (unsubscribe) unsubscribe();
        resolve(outcome);
      });
      if (settled) unsubscribe();
    });
  }

  start() {
    const runtimes = Object.fromEntries(Array.from(this.wanted, (runtime) => [runtime, LOADING]));
    this.setState({ ...LOADING, runtimes });
    if (typeof WebAssembly !== "object" || typeof Worker !== "function") {
      this.setState({ phase: "failed", message: "this browser cannot run WebAssembly" });
      return;
    }
    try {
      this.worker = new Worker(this.workerUrl, { type: "module" });
    } catch (error) {
      this.setState({ phase: "failed", message: String(error.message || error) });
      return;
    }
    this.worker.onmessage = (event) => this.receive(event.data);
    this.worker.onerror = (event) => {
      event.preventDefault();
      this.crashed(event.message || "the runner stopped");
    };
    this.codeSent = false; // once true, this worker's snapshots are not trusted
    this.worker.postMessage({ type: "load", snapshots: trustedSnapshots() });
    for (const runtime of this.wanted) this.worker.postMessage({ type: "load", runtime });
  }

  receive(message) {
    const run = this.current && message.id === this.current.id ? this.current : null;
    if (message.type === "ready" && message.snapshot && !this.codeSent) trustSnapshot(message.snapshot);
    if (message.runtime && ["progress", "ready", "failed"].includes(message.type)) {
      const phase = { progress: "loading", ready: "ready", failed: "failed" }[message.type];
      const changes = { phase, message: message.message || "" };
      if (message.type === "ready") changes.restored = Boolean(message.restored);
      if (message.type === "progress") Object.assign(changes, { loaded: message.loaded, total: message.total });
      this.setRuntime(message.runtime, changes);
      return;
    }
    switch (message.type) {
      case "progress":
        this.setState({ loaded: message.loaded, total: message.total });
        break;
      case "ready":
        this.setState({ phase: "ready", loaded: this.state.total, message: "", restored: message.restored });
        break;
      case "failed":
        this.setState({ phase: "failed", message: message.message });
        break;
      case "started":
        if (run) run.running = message.name;
        break;
      case "result":
        if (run) {
          run.results.push(message.result);
          run.running = null;
          if (run.onResult) run.onResult(message.result);
        }
        break;
      case "done":
        if (!run) break;
        // The worker sends a result for every test, run or not; should some be missing, mark
        // each as not run (the run's message says why).
        if (run.results.length < run.tests.length) {
          const notRun = "Not run: the run ended before this test.";
          this.cutShort("error", notRun, notRun);
        }
        this.finish({ status: message.status, message: message.message, output: message.output });
        break;
      case "crashed":
        this.crashed(message.message);
        break;
    }
  }

  // `sql` ({schema, ordered, timeLimit}), with runtime "sql": an SQL question's checks (the
  // worker's protocol); the query stops itself at sql.timeLimit, timeLimitMs is the backstop.
  async run({ code, tests, timeLimitMs, onResult, runtime, sql }) {
    if (this.state.phase !== "ready") throw new Error("Python is not ready");
    if (this.current || this.waiting) throw new Error("a run is in progress");
    if (runtime) {
      this.waiting = true;
      let ready;
      try {
        ready = await this.runtimeReady(runtime);
      } finally {
        this.waiting = false;
      }
      if (!ready) {
        const name = RUNTIME_NAMES[runtime] || runtime;
        const why = (this.state.runtimes[runtime] || {}).message || this.state.message;
        const notRun = `Not run: ${name} could not start.`;
        return {
          status: "error",
          message: `${name} could not start in this browser (${why}).`,
          results: tests.map((test) => result(test.name, test.code, "error", notRun)),
        };
      }
    }
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.current = { id, tests, results: [], running: null, resolve, onResult };
      this.current.timer = window.setTimeout(() => this.timedOut(timeLimitMs), timeLimitMs);
      this.codeSent = true;
      this.worker.postMessage({ type: "run", id, code, tests, runtime: runtime || null, sql });
    });
  }

  // A snippet runs like a run without tests: the same time limit, the same restart.
  runSnippet({ code, timeLimitMs }) {
    if (this.state.phase !== "ready") throw new Error("Python is not ready");
    if (this.current || this.waiting) throw new Error("a run is in progress");
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.current = { id, tests: [], results: [], running: null, resolve, onResult: null };
      this.current.timer = window.setTimeout(() => this.timedOut(timeLimitMs), timeLimitMs);
      this.codeSent = true;
      this.worker.postMessage({ type: "snippet", id, code });
    });
  }

  finish({ status, message, output = "" }) {
    const run = this.current;
    this.current = null;
    window.clearTimeout(run.timer);
    run.resolve({ status, message, results: run.results, output });
  }

  // The results of a run cut short: the test that was running gets `status`, the rest "error".
  cutShort(status, message, notRun) {
    const run = this.current;
    const done = new Set(run.results.map((r) => r.name));
    let blamed = false;
    for (const test of run.tests) {
      if (done.has(test.name)) continue;
      const isCurrent = !blamed && (run.running === null || run.running === test.name);
      if (isCurrent) {
        blamed = true;
        run.results.push(result(test.name, test.code, status, message));
      } else {
        run.results.push(result(test.name, test.code, "error", notRun));
      }
      if (run.onResult) run.onResult(run.results[run.results.length - 1]);
    }
  }

  timedOut(timeLimitMs) {
    if (!this.current) return;
    const seconds = Math.round(timeLimitMs / 100) / 10;
    const name = this.current.running;
    this.restart();
    this.cutShort(
      "timeout",
      `Stopped after ${seconds} s, the time limit for a run: is there an endless loop?`,
      "Not run: the run stopped at the time limit.",
    );
    this.finish({
      status: "timeout",
      message: `The run took longer than ${seconds} s and was stopped` +
        (name ? ` in the test “${name}”.` : "."),
    });
  }

  crashed(why) {
    const message = `Python stopped unexpectedly (${why}). It is starting again.`;
    this.restart();
    if (!this.current) return;
    this.cutShort("error", message, "Not run: Python stopped before this test.");
    this.finish({ status: "error", message });
  }

  restart() {
    if (this.worker) this.worker.terminate();
    this.start();
  }
}
