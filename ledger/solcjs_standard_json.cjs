#!/usr/bin/env node
// Makes the npm build of solc respond like a native solc binary for py-solc-x:
// `--version` prints the version line, `--standard-json` reads compiler input on stdin
// and writes only the output JSON. The npm package's own CLI prints a banner line before
// its JSON, which py-solc-x cannot parse, so this calls the compiler's JavaScript API instead.
// Imports are not resolved here: the Python side embeds every source in the input.
"use strict";

const path = require("node:path");

function loadCompiler() {
  const toolchainDir = process.env.CONSENT_LEDGER_TOOLCHAIN_DIR || path.resolve(__dirname, "..");
  return require(require.resolve("solc", { paths: [toolchainDir] }));
}

function readStdin() {
  return require("node:fs").readFileSync(0, "utf8");
}

const args = process.argv.slice(2);
const solc = loadCompiler();
if (args.includes("--version")) {
  process.stdout.write(`solc, the solidity compiler commandline interface\nVersion: ${solc.version()}\n`);
} else if (args.includes("--standard-json")) {
  process.stdout.write(solc.compile(readStdin()));
} else {
  process.stderr.write("usage: solcjs_standard_json.cjs --version | --standard-json < input.json\n");
  process.exit(2);
}
