"""Runs a candidate's code against a question's named tests and reports one result per test.

The same file runs in two places: inside Pyodide in the candidate's browser (the worker in
static/js/runner-worker.js fetches it from static/runner/), and under CPython on the server's
CI, which checks that every question's reference solution passes and its starter code fails.
So it imports nothing but the standard library and stays valid on Python 3.11 to 3.14.

Each test gets a fresh namespace: the candidate's code runs in it, then the test's code. A test
passes when its code finishes; it fails on an AssertionError (its message shows the values that
were compared: asserts are rewritten as pytest does) and is an error on any other exception.
The result of each test follows Exercism's test-runner format:
    {"name", "status": "pass" | "fail" | "error" | "timeout", "test_code", "message",
     "output", "output_truncated", "duration_ms"}
The caller enforces the wall-clock limit (the browser terminates its worker; CI kills the
process) and reports the test that was running as "timeout".

A run may ask for a runtime: runtime="django" (the ORM exercises) gives every test real Django
with an exercise app and a freshly seeded database, from orm.py beside this file (which needs
Django importable: the worker puts its archive on the path first; CI runs it with the server's
Django).
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import importlib.util
import io
import json
import linecache
import os
import sys
import time
import traceback
from collections.abc import Callable

SOLUTION_FILE = "solution.py"
TEST_FILE = "test.py"
OUTPUT_LIMIT = 64 * 1024
REPR_LIMIT = 1_000
# The names a test may use besides the candidate's: `raises` (see below).
TEST_HELPERS = ("raises",)

PASS, FAIL, ERROR, TIMEOUT = "pass", "fail", "error", "timeout"
STATUSES = (PASS, FAIL, ERROR, TIMEOUT)
# Runtimes a run may ask for besides plain Python (None), and their names in messages.
DJANGO = "django"
RUNTIMES = (DJANGO,)
RUNTIME_NAMES = {DJANGO: "Django"}


def _no_input(prompt: object = "") -> str:
    raise RuntimeError(
        "This exercise reads no input: input() is not available. Take the values as the "
        "function's arguments instead."
    )


class CappedOutput(io.TextIOBase):
    """What the code prints, up to a limit; `truncated` says whether more was thrown away."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.parts: list[str] = []
        self.size = 0
        self.truncated = False

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        room = self.limit - self.size
        if len(text) > room:
            self.truncated = True
            text = text[: max(room, 0)]
        if text:
            self.parts.append(text)
            self.size += len(text)
        return len(text)

    def getvalue(self) -> str:
        return "".join(self.parts)


def _short_repr(value: object) -> str:
    try:
        text = repr(value)
    except Exception as error:  # a broken __repr__ must not hide the real failure
        text = f"<repr failed: {type(error).__name__}>"
    return text if len(text) <= REPR_LIMIT else text[:REPR_LIMIT] + "…"


_OPERATORS: dict[type, tuple[str, Callable[[object, object], bool]]] = {
    ast.Eq: ("==", lambda a, b: a == b),
    ast.NotEq: ("!=", lambda a, b: a != b),
    ast.Lt: ("<", lambda a, b: a < b),
    ast.LtE: ("<=", lambda a, b: a <= b),
    ast.Gt: (">", lambda a, b: a > b),
    ast.GtE: (">=", lambda a, b: a >= b),
    ast.Is: ("is", lambda a, b: a is b),
    ast.IsNot: ("is not", lambda a, b: a is not b),
    ast.In: ("in", lambda a, b: a in b),
    ast.NotIn: ("not in", lambda a, b: a not in b),
}
_OPERATOR_NAMES = dict(_OPERATORS.values())


def _check_compare(left, symbol, right, source, message):
    """A rewritten `assert left <symbol> right, message`."""
    if _OPERATOR_NAMES[symbol](left, right):
        return
    lines = [f"assert {source}"]
    if message is not None:
        lines.insert(0, str(message()))
    if symbol == "==":
        lines += [f"  expected: {_short_repr(right)}", f"  actual:   {_short_repr(left)}"]
    else:
        lines += [f"  left:  {_short_repr(left)}", f"  right: {_short_repr(right)}"]
    raise AssertionError("\n".join(lines))


def _check_truth(value, source, message):
    """A rewritten `assert value, message` (anything but a single comparison)."""
    if value:
        return
    lines = [f"assert {source}"]
    if message is not None:
        lines.insert(0, str(message()))
    if not isinstance(value, bool):
        lines.append(f"  value: {_short_repr(value)}")
    raise AssertionError("\n".join(lines))


class _AssertRewriter(ast.NodeTransformer):
    """`assert a == b, m` becomes `__prep_compare(a, "==", b, "a == b", lambda: m)`: each side
    is evaluated once, and the failure message shows both values."""

    def __init__(self, source: str) -> None:
        self.source = source

    def visit_Assert(self, node: ast.Assert) -> ast.AST:
        text = ast.get_source_segment(self.source, node.test) or ast.unparse(node.test)
        message = (
            ast.Lambda(
                args=ast.arguments(
                    posonlyargs=[], args=[], kwonlyargs=[], kw_defaults=[], defaults=[]
                ),
                body=node.msg,
            )
            if node.msg is not None
            else ast.Constant(None)
        )
        test = node.test
        if isinstance(test, ast.Compare) and len(test.ops) == 1 and type(test.ops[0]) in _OPERATORS:
            symbol = _OPERATORS[type(test.ops[0])][0]
            call = ast.Call(
                func=ast.Name("__prep_compare", ast.Load()),
                args=[
                    test.left,
                    ast.Constant(symbol),
                    test.comparators[0],
                    ast.Constant(text),
                    message,
                ],
                keywords=[],
            )
        else:
            call = ast.Call(
                func=ast.Name("__prep_truth", ast.Load()),
                args=[test, ast.Constant(text), message],
                keywords=[],
            )
        return ast.copy_location(ast.Expr(call), node)


@contextlib.contextmanager
def raises(expected: type[BaseException] | tuple[type[BaseException], ...], match: str = ""):
    """For tests: `with raises(ValueError, match="negative"):` fails unless the block raises."""
    try:
        yield
    except expected as error:
        if match and match not in str(error):
            raise AssertionError(
                f"raised {type(error).__name__}({str(error)!r}), "
                f"but the message does not contain {match!r}"
            ) from None
    else:
        names = (
            " or ".join(e.__name__ for e in expected)
            if isinstance(expected, tuple)
            else expected.__name__
        )
        raise AssertionError(f"expected {names} to be raised, but nothing was raised")


class _WaitsOnNothing:
    """The selector of an event loop for code that waits on timers only: it just sleeps."""

    def select(self, timeout: float | None = None) -> list:
        if timeout:
            time.sleep(timeout)
        return []

    def close(self) -> None:
        pass


def _use_plain_asyncio() -> None:
    """Give asyncio.run a plain event loop in the browser.

    Pyodide's own asyncio.run hands the loop to the browser, which needs WebAssembly stack
    switching, and the standard loop needs a socket pair: neither is there in a worker. The
    exercises wait on timers, tasks and queues only, which this loop runs as CPython would.
    """
    import asyncio

    class PlainEventLoop(asyncio.BaseEventLoop):
        def __init__(self) -> None:
            super().__init__()
            self._selector = _WaitsOnNothing()

        def _process_events(self, event_list: list) -> None:
            pass

        def _write_to_self(self) -> None:
            pass

    def run(main, *, debug=None, loop_factory=None):
        # Pyodide marks its browser loop as always running; step it aside meanwhile.
        browser_loop = asyncio.events._get_running_loop()
        asyncio.events._set_running_loop(None)
        try:
            with asyncio.Runner(debug=debug, loop_factory=loop_factory or PlainEventLoop) as runner:
                return runner.run(main)
        finally:
            asyncio.events._set_running_loop(browser_loop)

    asyncio.run = run


if sys.platform == "emscripten":
    _use_plain_asyncio()


def _remember_source(filename: str, source: str) -> None:
    """Let tracebacks quote lines of code that exists only in memory."""
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)


def compile_test(code: str):
    """The test's code with its asserts rewritten, compiled (raises SyntaxError)."""
    tree = _AssertRewriter(code).visit(ast.parse(code, TEST_FILE))
    ast.fix_missing_locations(tree)
    return compile(tree, TEST_FILE, "exec")


def format_syntax_error(error: SyntaxError) -> str:
    lines = traceback.format_exception_only(type(error), error)
    return "".join(lines).rstrip()


def _user_frames(error: BaseException) -> list[traceback.FrameSummary]:
    frames = traceback.extract_tb(error.__traceback__)
    return [frame for frame in frames if frame.filename in (SOLUTION_FILE, TEST_FILE)]


def format_error(error: BaseException) -> str:
    """A traceback of the candidate's and the test's own frames (none of the harness's), with
    line numbers as the editor shows them."""
    frames = traceback.StackSummary.from_list(_user_frames(error))
    text = "Traceback (most recent call last):\n" if frames else ""
    text += "".join(frames.format())
    text += "".join(traceback.format_exception_only(type(error), error))
    if isinstance(error, SystemExit):
        text += "The code called sys.exit() (or exit()): return a value instead.\n"
    elif isinstance(error, RecursionError):
        text += "The recursion went too deep: check the base case, or use a loop.\n"
    elif isinstance(error, MemoryError):
        text += "The code ran out of memory.\n"
    return text.rstrip()


def _orm_module():
    """orm.py, from beside this file (the worker writes both into one folder), loaded once."""
    module = sys.modules.get("prep_orm")
    if module is None:
        path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "orm.py")
        spec = importlib.util.spec_from_file_location("prep_orm", path)
        if spec is None or spec.loader is None:
            raise ImportError(f"no ORM runtime at {path}")
        module = importlib.util.module_from_spec(spec)
        sys.modules["prep_orm"] = module
        try:
            spec.loader.exec_module(module)
        except BaseException:
            del sys.modules["prep_orm"]
            raise
    return module


def prepare_runtime(runtime: str) -> None:
    """Get a runtime ready ahead of the first run that needs it (the worker calls this while the
    page says "Loading Django…"); run_tests does it too when it has not been done.

    Raises ValueError for an unknown runtime, and whatever starting it raises (ImportError when
    Django is not installed)."""
    if runtime not in RUNTIMES:
        raise ValueError(f"unknown runtime {runtime!r} (one of: {', '.join(RUNTIMES)})")
    _orm_module().setup()


def _names_for(runtime: str | None) -> Callable[[], dict] | None:
    """What gives each test of a run its runtime's names (and fresh state); None for none."""
    return None if runtime is None else _orm_module().names_for_a_test


def run_one(
    solution,
    test: dict,
    *,
    output_limit: int = OUTPUT_LIMIT,
    names: Callable[[], dict] | None = None,
) -> dict:
    """Run the compiled candidate code, then one test, in a fresh namespace (which first gets
    names(), when given: a runtime's models and helpers)."""
    result = {
        "name": test["name"],
        "status": PASS,
        "test_code": test["code"],
        "message": "",
        "output": "",
        "output_truncated": False,
        "duration_ms": 0,
    }
    output = CappedOutput(output_limit)
    namespace: dict = {"__name__": "__main__", "__builtins__": builtins, "input": _no_input}
    started = time.perf_counter()
    try:
        compiled_test = compile_test(test["code"])
    except SyntaxError as error:
        message = "The test itself does not compile:\n" + format_syntax_error(error)
        result.update(status=ERROR, message=message)
        return result
    try:
        with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
            if names is not None:
                namespace.update(names())
            exec(solution, namespace)
            namespace.update(
                __prep_compare=_check_compare, __prep_truth=_check_truth, raises=raises
            )
            exec(compiled_test, namespace)
    except AssertionError as error:
        in_test = any(frame.filename == TEST_FILE for frame in _user_frames(error)[-1:])
        if in_test:
            result.update(status=FAIL, message=str(error) or "assertion failed")
        else:
            result.update(status=ERROR, message=format_error(error))
    except BaseException as error:  # SystemExit and KeyboardInterrupt are the code's too
        result.update(status=ERROR, message=format_error(error))
    result["duration_ms"] = round((time.perf_counter() - started) * 1000, 2)
    result["output"] = output.getvalue()
    result["output_truncated"] = output.truncated
    return result


def _not_run(tests: list[dict], message: str) -> list[dict]:
    return [
        {
            "name": test["name"],
            "status": ERROR,
            "test_code": test["code"],
            "message": message,
            "output": "",
            "output_truncated": False,
            "duration_ms": 0,
        }
        for test in tests
    ]


def run_tests(
    code: str,
    tests: list[dict],
    *,
    runtime: str | None = None,
    output_limit: int = OUTPUT_LIMIT,
    on_start: Callable[[str], object] | None = None,
    on_result: Callable[[dict], object] | None = None,
) -> dict:
    """Run `code` against each of `tests` ({"name", "code"}) in order.

    Returns {"status", "message", "results"}: the status is "pass" when every test passed,
    "error" when the code does not compile (message: the SyntaxError, with its line) or the
    runtime cannot start (message: why), "fail" otherwise. on_start(name) is called before each
    test, on_result(result) after it. runtime="django" gives each test the ORM exercises'
    models and helpers over a freshly seeded database (orm.py); it raises ValueError for a
    runtime it does not know.
    """
    if runtime is not None and runtime not in RUNTIMES:
        raise ValueError(f"unknown runtime {runtime!r} (one of: {', '.join(RUNTIMES)})")
    _remember_source(SOLUTION_FILE, code)
    try:
        solution = compile(code, SOLUTION_FILE, "exec")
    except SyntaxError as error:
        not_run = f"Not run: your code does not compile (line {error.lineno})."
        return {
            "status": ERROR,
            "message": format_syntax_error(error),
            "results": _not_run(tests, not_run),
        }
    names = None
    if runtime is not None:
        try:
            prepare_runtime(runtime)
            names = _names_for(runtime)
        except Exception as error:
            what = RUNTIME_NAMES[runtime]
            message = f"{what} could not start: {type(error).__name__}: {error}"
            return {
                "status": ERROR,
                "message": message,
                "results": _not_run(tests, f"Not run: {what} could not start."),
            }
    results = []
    for test in tests:
        if on_start is not None:
            on_start(test["name"])
        _remember_source(TEST_FILE, test["code"])
        result = run_one(solution, test, output_limit=output_limit, names=names)
        results.append(result)
        if on_result is not None:
            on_result(result)
    passed = all(result["status"] == PASS for result in results)
    return {"status": PASS if passed else FAIL, "message": "", "results": results}


def exception_line(error: BaseException) -> str:
    """How a "predict the output" answer writes an uncaught exception: `ExceptionType: message`,
    or the type alone when the message is empty (as Python's own traceback ends)."""
    name = type(error).__name__
    try:
        message = str(error)
    except Exception:  # a broken __str__: the type is still the answer's first word
        message = ""
    return f"{name}: {message}" if message else name


def run_snippet(code: str, *, output_limit: int = OUTPUT_LIMIT) -> dict:
    """Run a "predict the output" snippet on its own, as `python snippet.py` would, and return
    what a candidate must predict: {"status", "message", "output", "output_truncated"}.

    The output is what the snippet writes to standard output (print); when it raises, a last
    line follows: exception_line(error). What it writes to standard error (warnings) is not
    part of it. status is "pass" when the snippet compiled and ran (raising or not), "error"
    when it does not compile (message: the SyntaxError). The caller enforces the time limit, as
    for run_tests.
    """
    _remember_source(SOLUTION_FILE, code)
    result = {"status": PASS, "message": "", "output": "", "output_truncated": False}
    try:
        compiled = compile(code, SOLUTION_FILE, "exec")
    except SyntaxError as error:
        result.update(status=ERROR, message=format_syntax_error(error))
        return result
    output = CappedOutput(output_limit)
    namespace: dict = {"__name__": "__main__", "__builtins__": builtins, "input": _no_input}
    try:
        with contextlib.redirect_stdout(output), contextlib.redirect_stderr(io.StringIO()):
            exec(compiled, namespace)
    except BaseException as error:  # SystemExit too: the snippet's own doing
        result["message"] = format_error(error)
        printed = output.getvalue()
        output.write(
            ("\n" if printed and not printed.endswith("\n") else "") + exception_line(error)
        )
    result["output"] = output.getvalue()
    result["output_truncated"] = output.truncated
    return result


def main() -> None:
    """`python harness.py < job.json` (CI, and the bank loader's check of the snippets):
    {"code", "tests", "runtime"?} in, run_tests' answer out; or {"snippet"} in, run_snippet's
    answer out."""
    job = json.load(sys.stdin)
    if "snippet" in job:
        report = run_snippet(job["snippet"])
    else:
        report = run_tests(job["code"], job["tests"], runtime=job.get("runtime"))
    sys.stdout.write(json.dumps(report))


if __name__ == "__main__":
    main()
