// Compiles Pyodide's standard library to bytecode, once: runner/pyodide_stdlib.zip.
//
// The npm package's python_stdlib.zip holds source only, so every start of Python in a browser
// compiles the hundred-odd modules it imports (about 2 s of a warm start on a 2-core machine).
// The same modules as unchecked hash-based .pyc files (no source needed to check them) load in
// a fraction of that. Pyodide itself compiles them, so the bytecode is its CPython's (3.14).
// runner/assets.py installs the result in place of the package's zip.
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(import.meta.url);
const packageDir = path.dirname(require.resolve("pyodide/package.json"));
const { loadPyodide } = await import(path.join(packageDir, "pyodide.mjs"));
const python = await loadPyodide({ indexURL: packageDir + "/" });
const output = new URL("../runner/pyodide_stdlib.zip", import.meta.url);
python.runPython(`
import importlib._bootstrap_external as bootstrap
import importlib.util
import zipfile

SOURCE = "/lib/python314.zip"
STAMP = (2026, 1, 1, 0, 0, 0)  # fixed, so that a rebuild of the same library is the same file


def add(archive, name, data):
    archive.writestr(zipfile.ZipInfo(name, date_time=STAMP), data, zipfile.ZIP_DEFLATED)


with zipfile.ZipFile(SOURCE) as source, zipfile.ZipFile("/tmp/stdlib.zip", "w") as compiled:
    for info in sorted(source.infolist(), key=lambda info: info.filename):
        data = source.read(info)
        if not info.filename.endswith(".py"):
            add(compiled, info.filename, data)
            continue
        try:
            code = compile(data, f"{SOURCE}/{info.filename}", "exec", dont_inherit=True)
        except SyntaxError:  # test data shipped as .py: keep it as it is
            add(compiled, info.filename, data)
            continue
        pyc = bootstrap._code_to_hash_pyc(code, importlib.util.source_hash(data), checked=False)
        add(compiled, info.filename + "c", bytes(pyc))
`);
fs.writeFileSync(output, python.FS.readFile("/tmp/stdlib.zip"));
console.log(`wrote ${output.pathname} (${fs.statSync(output).size} bytes)`);
