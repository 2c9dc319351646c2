#!/usr/bin/env node
// A static PEP 503 "simple" index server for tests: serves ROOT/simple and ROOT/files on 127.0.0.1,
// logs one line per request, and can demand HTTP basic auth (user + password read from a file).
//   node scripts/index-server.mjs --root DIR --port 3141 [--access-log FILE]
//        [--user NAME --password-file FILE]
import { appendFileSync, createReadStream, readFileSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { join, normalize, sep } from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    root: { type: "string" },
    port: { type: "string", default: "3141" },
    host: { type: "string", default: "127.0.0.1" },
    "access-log": { type: "string" },
    user: { type: "string" },
    "password-file": { type: "string" },
  },
});
if (!values.root) {
  console.error("index-server: --root DIR is required");
  process.exit(2);
}
const root = normalize(values.root);
const password = values["password-file"] ? readFileSync(values["password-file"], "utf8").trim() : undefined;
const expectedAuth =
  values.user && password
    ? `Basic ${Buffer.from(`${values.user}:${password}`).toString("base64")}`
    : undefined;

const TYPES = { ".html": "text/html; charset=utf-8", ".whl": "application/zip", ".gz": "application/gzip" };

function logLine(req, status, user) {
  // Never log credentials: only whether the request carried the right ones.
  const line = `${new Date().toISOString()} ${req.method} ${req.url} ${status} ${user}\n`;
  if (values["access-log"]) appendFileSync(values["access-log"], line);
  else process.stdout.write(line);
}

/** Map a URL path onto a file under root; undefined when it would escape root. */
function resolvePath(urlPath) {
  let path = decodeURIComponent(urlPath.split("?")[0] ?? "/");
  if (path.endsWith("/")) path += "index.html";
  const full = normalize(join(root, path));
  return full === root || full.startsWith(root + sep) ? full : undefined;
}

const server = createServer((req, res) => {
  let user = "-";
  if (expectedAuth) {
    if (req.headers.authorization !== expectedAuth) {
      res.writeHead(401, { "WWW-Authenticate": 'Basic realm="pyfront-index"' }).end("unauthorized\n");
      logLine(req, 401, "-");
      return;
    }
    user = values.user;
  }
  const file = resolvePath(req.url ?? "/");
  let size;
  try {
    size = file ? statSync(file).size : undefined;
    if (file && statSync(file).isDirectory()) {
      res.writeHead(301, { Location: `${req.url}/` }).end();
      logLine(req, 301, user);
      return;
    }
  } catch {
    size = undefined;
  }
  if (!file || size === undefined || (req.method !== "GET" && req.method !== "HEAD")) {
    res.writeHead(404).end("not found\n");
    logLine(req, 404, user);
    return;
  }
  const ext = file.endsWith(".tar.gz") ? ".gz" : file.slice(file.lastIndexOf("."));
  res.writeHead(200, { "Content-Type": TYPES[ext] ?? "application/octet-stream", "Content-Length": size });
  logLine(req, 200, user);
  if (req.method === "HEAD") res.end();
  else createReadStream(file).pipe(res);
});

server.listen(Number(values.port), values.host, () => {
  console.log(`index-server: serving ${root} on http://${values.host}:${values.port}/simple/`);
});
for (const sig of ["SIGTERM", "SIGINT"])
  process.on(sig, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
