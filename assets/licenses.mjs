// Writes static/vendor/codemirror/LICENSES.txt: the licence of every npm package
// whose code esbuild put into prep-editor.js (read from esbuild's metafile).
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const meta = JSON.parse(readFileSync(join(here, "node_modules/.prep-editor-meta.json"), "utf8"));
const out = join(here, "../static/vendor/codemirror/LICENSES.txt");

// Only inputs that contributed bytes to the output: tree-shaken packages are left out.
const [output] = Object.values(meta.outputs);
const packages = new Set();
for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
  if (!bytesInOutput) continue;
  const m = input.match(/(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//);
  if (m) packages.add(m[1]);
}
if (packages.size === 0) throw new Error("no bundled packages found in the metafile");

const sections = [...packages].sort().map((name) => {
  const dir = join(here, "node_modules", name);
  const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.(md|txt))?$/i.test(f));
  if (!file) throw new Error(`${name} has no LICENSE file`);
  const text = readFileSync(join(dir, file), "utf8").trim();
  return `${"=".repeat(72)}\n${name}@${pkg.version} (${pkg.license})\n${"=".repeat(72)}\n\n${text}\n`;
});

const header =
  "Third-party software bundled in prep-editor.js, built from assets/ (see assets/README.md).\n" +
  `${packages.size} packages; each one's licence follows.\n\n`;
writeFileSync(out, header + sections.join("\n"));
console.log(`wrote ${out} (${packages.size} packages)`);
