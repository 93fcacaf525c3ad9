// Compiles the ORM exercises' wheels (Django, asgiref, sqlparse) to bytecode, once:
// runner/django_bytecode.zip.
//
// Pyodide would otherwise compile Django's modules each time a browser imports them (most of
// the time it takes to get Django ready; make bench-runner measures it). runner/assets.py serves
// each module as its .pyc (named as the module with a "c" added, where zipimport looks) only when
// its source is the very one compiled here: manifest.json holds each module's SHA-256. Reads the
// checked downloads that runner/assets.py keeps in .cache/runner-wheels/ (make assets runs it
// first).
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(import.meta.url);
const packageDir = path.dirname(require.resolve("pyodide/package.json"));
const { loadPyodide } = await import(path.join(packageDir, "pyodide.mjs"));
const python = await loadPyodide({ indexURL: packageDir + "/" });
const downloads = new URL("../.cache/runner-wheels/", import.meta.url);
const output = new URL("../runner/django_bytecode.zip", import.meta.url);
const wheels = fs.readdirSync(downloads).filter((name) => name.endsWith(".whl")).sort();
if (wheels.length === 0) throw new Error(`no wheels in ${downloads.pathname}: run runner/assets.py`);
python.FS.mkdir("/wheels");
for (const name of wheels) {
  python.FS.writeFile(`/wheels/${name}`, new Uint8Array(fs.readFileSync(new URL(name, downloads))));
}
python.runPython(`
import hashlib
import importlib._bootstrap_external as bootstrap
import importlib.util
import json
import os
import zipfile

STAMP = (2026, 1, 1, 0, 0, 0)  # fixed, so that a rebuild from the same wheels is the same file


def add(archive, name, data):
    archive.writestr(zipfile.ZipInfo(name, date_time=STAMP), data, zipfile.ZIP_DEFLATED)


manifest = {}
with zipfile.ZipFile("/tmp/bytecode.zip", "w") as compiled:
    for wheel in sorted(os.listdir("/wheels")):
        with zipfile.ZipFile(f"/wheels/{wheel}") as source:
            for info in sorted(source.infolist(), key=lambda info: info.filename):
                if not info.filename.endswith(".py"):
                    continue
                data = source.read(info)
                try:
                    code = compile(data, info.filename, "exec", dont_inherit=True)
                except SyntaxError:  # a template or test data shipped as .py
                    continue
                pyc = bootstrap._code_to_hash_pyc(code, importlib.util.source_hash(data), checked=False)
                add(compiled, info.filename + "c", bytes(pyc))
                manifest[info.filename] = hashlib.sha256(data).hexdigest()
    add(compiled, "manifest.json", json.dumps(manifest, indent=0, sort_keys=True))
`);
fs.writeFileSync(output, python.FS.readFile("/tmp/bytecode.zip"));
console.log(`wrote ${output.pathname} (${fs.statSync(output).size} bytes)`);
