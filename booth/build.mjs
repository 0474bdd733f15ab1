// Bundle the booth's cryptographic dependencies into one static file.
//
//   node build.mjs [--out DIR]     (npm run build; make vendor-js)
//
// Writes DIR/noble.js (an ES module, minified, no eval) and
// DIR/noble-LICENSE.txt; DIR defaults to src/asamblea/static/vendor. The
// output depends only on package-lock.json, so a fresh build after `npm ci`
// must equal the committed files (tests/booth/test_vendor.py checks it).
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const outIndex = args.indexOf("--out");
const outDir =
  outIndex >= 0
    ? resolve(args[outIndex + 1])
    : join(here, "..", "src", "asamblea", "static", "vendor");

const PACKAGES = ["@noble/curves", "@noble/hashes"];
const info = (name) =>
  JSON.parse(readFileSync(join(here, "node_modules", name, "package.json"), "utf8"));
const licenseText = (name) =>
  readFileSync(join(here, "node_modules", name, "LICENSE"), "utf8").trim();

const copyrights = [
  ...new Set(
    PACKAGES.flatMap((name) =>
      licenseText(name)
        .split("\n")
        .filter((l) => l.startsWith("Copyright")),
    ),
  ),
];
const described = PACKAGES.map((name) => `${name} ${info(name).version} (${info(name).license})`);
const header = [
  "/*!",
  ` * noble.js: ${described.join(", ")},`,
  ` * ${copyrights.join("; ")}; license texts in noble-LICENSE.txt.`,
  ` * Bundled and minified with esbuild ${esbuild.version} by booth/build.mjs; do not edit, rebuild.`,
  " * Exports: Point (secp256k1), sha256, sha512.",
  " */",
].join("\n");

const result = await esbuild.build({
  entryPoints: [join(here, "noble-entry.js")],
  absWorkingDir: here,
  bundle: true,
  minify: true,
  format: "esm",
  target: "es2020",
  platform: "browser",
  legalComments: "none",
  charset: "ascii",
  banner: { js: header },
  write: false,
  logLevel: "warning",
});

const bundle = result.outputFiles[0].text;
if (/\beval\s*\(|new\s+Function\s*\(/.test(bundle)) {
  throw new Error("the bundle must not evaluate strings (strict content security policy)");
}
const licenses = PACKAGES.map(
  (name) => `${name} ${info(name).version}\n\n${licenseText(name)}\n`,
).join("\n");

mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, "noble.js"), bundle);
writeFileSync(join(outDir, "noble-LICENSE.txt"), licenses);
console.log(`wrote ${join(outDir, "noble.js")} (${bundle.length} bytes)`);
