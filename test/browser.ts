// What the browser tests share: a Jupyter server started on a free loopback port (and stopped),
// the copies of the committed notebooks it serves, how much of a picture is drawn, and the
// explorer's slider check.
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { PNG } from 'pngjs';
import type { Frame, Page } from 'playwright-core';
import { freePort } from './helpers';

declare const window: any;

export interface Server { base: string; log(): string; stop(): Promise<void> }

/**
 * Starts `command args(port)` with `env`, and waits (up to 30 s) until GET base + `ready` answers
 * 200; fails with the server's output otherwise.
 */
export async function startServer(command: string, args: (port: number) => string[], env: NodeJS.ProcessEnv, ready: string): Promise<Server> {
  const port = await freePort();
  let log = '';
  const proc: ChildProcess = spawn(command, args(port), { env, stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout!.on('data', (d) => (log += d));
  proc.stderr!.on('data', (d) => (log += d));
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (await fetch(`${base}${ready}`).then((r) => r.ok, () => false)) break;
    if (i > 120 || proc.exitCode !== null) throw new Error(`${command} did not start:\n${log}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    base,
    log: () => log,
    stop: async () => {
      if (proc.exitCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * The environment of a Jupyter server under test: the project's kernel and its pre-save hook
 * (jupyter/), Jupyter's own files in `tmp` (no signatures there, so every notebook opens
 * untrusted), the reduced setting forced, its runs in `tmp`/results.
 */
export function jupyterEnv(root: string, tmp: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    JUPYTER_PATH: path.join(root, 'jupyter'),
    JUPYTER_CONFIG_PATH: path.join(root, 'jupyter'),
    JUPYTER_CONFIG_DIR: path.join(tmp, 'config'),
    JUPYTER_DATA_DIR: path.join(tmp, 'data'),
    JUPYTER_RUNTIME_DIR: path.join(tmp, 'runtime'),
    PYDEVD_DISABLE_FILE_VALIDATION: '1',
    VAE_NB_QUICK: '1',
    VAE_NB_RESULTS: path.join(tmp, 'results'),
  };
}

/** Copies of the committed notebooks in `dir` (a server's root: what it saves never reaches the repository). */
export function copyNotebooks(root: string, dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const nb of fs.readdirSync(path.join(root, 'notebooks')).filter((f) => f.endsWith('.ipynb'))) fs.copyFileSync(path.join(root, 'notebooks', nb), path.join(dir, nb));
}

/** Share of pixels that differ from the image's most common value (0: a blank picture). */
export function inkShare(png: Buffer): number {
  const { data, width, height } = PNG.sync.read(png);
  const counts = new Map<number, number>();
  const key = (i: number) => (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];
  for (let i = 0; i < data.length; i += 4) counts.set(key(i), (counts.get(key(i)) ?? 0) + 1);
  const background = Math.max(...counts.values());
  return 1 - background / (width * height);
}

/** The explorer in `frame` draws a digit, and moving its first slider to the end (keyboard) redraws it. */
export async function expectSliderRedraws(frame: Frame | Page): Promise<void> {
  await frame.waitForFunction(() => window.vaeExplorer !== undefined, null, { timeout: 30000 });
  const digit = frame.locator('#digit');
  await digit.scrollIntoViewIfNeeded();
  const before = await digit.screenshot();
  expect(inkShare(before)).toBeGreaterThan(0.02);
  const slider = frame.locator('#sliders input[type=range]').first();
  await slider.focus();
  await slider.press('End');
  expect((await digit.screenshot()).equals(before)).toBe(false);
}
