// A jest reporter for the full tier: after the run, the ten slowest test files with their times
// (where a quarter of an hour goes), then the counts.
class SlowestReporter {
  onRunComplete(_contexts, results) {
    const files = results.testResults
      .map((r) => ({ file: r.testFilePath.replace(/^.*\/test\//, 'test/'), seconds: (r.perfStats.end - r.perfStats.start) / 1000 }))
      .sort((a, b) => b.seconds - a.seconds);
    const lines = files.slice(0, 10).map((f) => `${f.seconds.toFixed(1).padStart(7)} s  ${f.file}`);
    process.stderr.write(`\nthe ten slowest test files (of ${files.length}):\n${lines.join('\n')}\n`);
  }
}
module.exports = SlowestReporter;
