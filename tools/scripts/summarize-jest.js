// Adds up the JSON results that each Nx-run jest wrote into a folder and prints one closing line:
// "tests: N passed, N failed, N skipped". Exits 1 when a suite failed to run or a test failed.
const fs = require('node:fs');
const path = require('node:path');

const dir = process.argv[2];
let passed = 0,
  failed = 0,
  skipped = 0,
  brokenSuites = 0,
  files = 0;
for (const file of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
  if (!file.endsWith('.json')) continue;
  const r = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
  files++;
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  skipped += r.numPendingTests + r.numTodoTests;
  brokenSuites += r.numRuntimeErrorTestSuites;
  for (const suite of r.testResults) {
    if (suite.status === 'failed')
      console.log(
        `FAILED ${path.relative(process.cwd(), suite.name)}: ${(suite.message || '').split('\n').slice(0, 3).join(' ').slice(0, 300)}`,
      );
  }
}
console.log(`${files} jest runs; ${brokenSuites} suites failed to run`);
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || brokenSuites > 0 || files === 0 ? 1 : 0);
