// Adds a Content-Security-Policy to a built index.html: only this site's own files, WebAssembly,
// and the one inline module script Trunk writes to start the app (allowed by its SHA-256, which
// changes with every build, hence this step). Style attributes are allowed because the canvas
// positions and moves its items with them; images may come from blob: and data: URLs (the PNG
// export draws the SVG from a blob). Usage: node scripts/csp.mjs dist/index.html
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";

const file = process.argv[2];
if (!file) throw new Error("usage: node scripts/csp.mjs <index.html>");
let html = readFileSync(file, "utf8");
if (html.includes("Content-Security-Policy")) throw new Error(`${file} already has a policy`);

const hashes = [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map(
  (m) => `'sha256-${createHash("sha256").update(m[1], "utf8").digest("base64")}'`,
);
if (hashes.length === 0) throw new Error(`${file}: no inline script found; has Trunk changed its loader?`);

const policy = [
  "default-src 'self'",
  `script-src 'self' 'wasm-unsafe-eval' ${hashes.join(" ")}`,
  "style-src 'self'",
  "style-src-attr 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'none'",
].join("; ");
const meta = `<meta http-equiv="Content-Security-Policy" content="${policy}" />`;
html = html.replace(/(<meta charset="utf-8" \/>)/, `$1\n    ${meta}`);
if (!html.includes(meta)) throw new Error(`${file}: no <meta charset> to put the policy after`);
writeFileSync(file, html);
console.log(`csp: ${file}: ${hashes.length} inline script(s) allowed by hash`);
