// A static file server for the end-to-end tests: serves a built site under a sub-path on
// 127.0.0.1, so the tests prove the bundle works from any prefix, not only from "/".
import { createServer } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize, sep } from "node:path";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".wasm": "application/wasm",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".json": "application/json",
  ".png": "image/png",
};

/**
 * Serves `root` at `http://127.0.0.1:<port><prefix>`. `prefix` starts and ends with "/".
 * With `cors: false` it sends no Access-Control-Allow-Origin (a host not set up for embeds).
 * Resolves to { url, close }.
 */
export async function serveSite(root, prefix, { cors = true } = {}) {
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    if (!path.startsWith(prefix)) {
      res.writeHead(404).end("outside the site prefix");
      return;
    }
    let rel = normalize(path.slice(prefix.length));
    if (rel.startsWith("..") || rel.includes(`${sep}..`)) {
      res.writeHead(403).end();
      return;
    }
    if (rel === "." || rel === "" || rel.endsWith(sep)) rel = join(rel, "index.html");
    const file = join(root, rel);
    try {
      if (!(await stat(file)).isFile()) throw new Error("not a file");
      const body = await readFile(file);
      // As GitHub Pages does: a sandboxed iframe (opaque origin) fetches the module and the
      // wasm cross-origin, so an embeddable host must allow any origin to read its files.
      const headers = { "content-type": TYPES[extname(file)] ?? "application/octet-stream" };
      if (cors) headers["access-control-allow-origin"] = "*";
      res.writeHead(200, headers);
      res.end(body);
    } catch {
      res.writeHead(404).end("not found");
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}${prefix}`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
