// Reading vitest's JSON report (--reporter=json): shared by scripts/test.mjs and scripts/node-matrix.mjs.

/**
 * Counts from vitest's JSON report. `notRun` holds every test that is neither passed nor failed (skipped,
 * pending, todo, including the tests of a suite whose beforeAll failed); `brokenFiles` the files that
 * failed with no failing test to show for it (an import error, a failed beforeAll/afterAll); `failedNames`
 * each failed test with the first line of its failure message.
 */
export function countResults(json) {
  const notRun = [];
  const brokenFiles = [];
  const failedNames = [];
  let failedTests = 0;
  for (const file of json.testResults ?? []) {
    let failedHere = 0;
    for (const t of file.assertionResults ?? []) {
      if (t.status === 'failed') {
        failedHere++;
        const why = String(t.failureMessages?.[0] ?? '')
          .split('\n')[0]
          .slice(0, 300);
        failedNames.push(`${file.name} > ${t.fullName}${why ? ` — ${why}` : ''}`);
      } else if (t.status !== 'passed')
        notRun.push({ status: t.status, name: `${file.name} > ${t.fullName}` });
    }
    failedTests += failedHere;
    if (file.status === 'failed' && failedHere === 0) {
      brokenFiles.push(`${file.name}${file.message ? `: ${String(file.message).split('\n')[0]}` : ''}`);
    }
  }
  return {
    passed: json.numPassedTests,
    failed: Math.max(json.numFailedTests, failedTests),
    total: json.numTotalTests,
    notRun,
    brokenFiles,
    failedNames,
  };
}

/**
 * Passed and failed tests per test file whose path contains `folder` (e.g. `/packages/compat/test/`),
 * keyed by the file's base name without `.test.ts`.
 */
export function countByFile(json, folder) {
  const counts = {};
  for (const file of json.testResults ?? []) {
    if (!file.name.includes(folder)) continue;
    const key = file.name.slice(file.name.lastIndexOf('/') + 1).replace(/\.test\.[cm]?[jt]s$/, '');
    const results = file.assertionResults ?? [];
    const passed = results.filter((t) => t.status === 'passed').length;
    counts[key] = {
      passed,
      failed: results.length - passed + (file.status === 'failed' && passed === results.length ? 1 : 0),
    };
  }
  return counts;
}
