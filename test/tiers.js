// The two test tiers, in one place. `npm test` (jest.fast.config.js) runs every test file but these:
// the ones that need Jupyter, Chromium or Redis, or train full-MNIST command-line processes.
// `npm run test:full` (jest.config.js, what CI runs) runs them all; test/tiers.test.ts checks that
// the two configurations together list every test file once.
module.exports = {
  FULL_ONLY: [
    'notebooks.test.ts', // executes the seven notebooks (Jupyter)
    'notebooks_browser.test.ts', // the classic Notebook in headless Chromium
    'jupyterlab.test.ts', // JupyterLab 4 (test/jupyterlab) in headless Chromium
    'resume.test.ts', // SIGKILLed command-line runs, resumed 20 times
    'queue.test.ts', // Redis
    'explorer_browser.test.ts', // the explorer page in headless Chromium
    'plotly_static.test.ts', // static figures drawn in headless Chromium
    'cli_process.test.ts', // the command line as processes on MNIST (errors, Ctrl-C, --overwrite)
    'sweep_process.test.ts', // a real sweep of command-line processes, one SIGKILLed
    'explore_command.test.ts', // npm run explore as a process on a trained run
  ],
};
