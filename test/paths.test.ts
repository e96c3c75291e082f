// ensureDir (lib/runs/files.ts): a run's directory made one level at a time, or one line saying why
// a path cannot be one — a file in the way, a symbolic link to nothing (an unmounted disk), a file
// system that holds no new directories (procfs answers ENOENT, sysfs EPERM: Node's recursive
// mkdirSync loops forever on the first), a read-only mount, no permission. Each is answered at once.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ensureDir, PathError } from '../lib/runs/files';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'paths-'));

/** The PathError ensureDir throws for `dir` (fails the test if it throws none or another). */
function refusal(dir: string): PathError {
  try {
    ensureDir(dir);
  } catch (e) {
    expect(e).toBeInstanceOf(PathError);
    expect((e as Error).message).not.toContain('\n');
    return e as PathError;
  }
  throw new Error(`ensureDir(${dir}) made it`);
}

describe('ensureDir', () => {
  test('makes the missing levels and returns the absolute path; an existing directory is fine; a link to a directory is followed', () => {
    const root = tmp();
    const dir = path.join(root, 'a', 'b', 'c');
    expect(ensureDir(dir)).toBe(path.resolve(dir));
    expect(fs.statSync(dir).isDirectory()).toBe(true);
    expect(ensureDir(dir)).toBe(path.resolve(dir));
    fs.symlinkSync(path.join(root, 'a'), path.join(root, 'link'));
    expect(ensureDir(path.join(root, 'link', 'd'))).toBe(path.join(root, 'link', 'd'));
    expect(fs.existsSync(path.join(root, 'a', 'd'))).toBe(true);
  });

  test('a file as the directory or in the middle of the path', () => {
    const file = path.join(tmp(), 'f');
    fs.writeFileSync(file, 'keep');
    expect(refusal(file).message).toBe(`${file}: a file, not a directory`);
    expect(refusal(path.join(file, 'x', 'y')).message).toBe(`${path.join(file, 'x', 'y')} (at ${file}): a file, not a directory`);
    expect(fs.readFileSync(file, 'utf8')).toBe('keep');
  });

  test('a symbolic link to nothing (a disk not mounted), as the directory or above it', () => {
    const root = tmp();
    const link = path.join(root, 'results');
    fs.symlinkSync('/mnt/vae-unmounted-disk', link);
    expect(refusal(link).message).toBe(`${link}: a symbolic link to /mnt/vae-unmounted-disk, which does not exist (an unmounted disk?)`);
    expect(refusal(path.join(link, 'run')).message).toMatch(/\(at .*\/results\): a symbolic link to \/mnt\/vae-unmounted-disk, which does not exist/);
    expect(fs.readdirSync(root)).toEqual(['results']);
  });

  const procfs = fs.existsSync('/proc/self/status');
  (procfs ? test : test.skip)('a directory under procfs (which answers ENOENT) is refused at once, not looped on', () => {
    const t0 = Date.now();
    expect(refusal('/proc/vae-nowhere/run').message).toBe('/proc/vae-nowhere/run (at /proc/vae-nowhere): cannot be created in /proc: its file system holds no new directories (procfs?)');
    expect(Date.now() - t0).toBeLessThan(1000); // a hang guard, not a speed claim
  });
  if (!procfs) console.log('ensureDir: the procfs case skipped, /proc is not mounted here');

  const sysfs = fs.existsSync('/sys/kernel');
  (sysfs ? test : test.skip)('a directory under sysfs is refused', () => {
    expect(refusal('/sys/vae-nowhere').message).toMatch(/^\/sys\/vae-nowhere: cannot be created in \/sys: (its file system does not allow new directories \(sysfs\?\)|permission denied)$/);
  });
  if (!sysfs) console.log('ensureDir: the sysfs case skipped, /sys is not mounted here');

  const root = process.getuid?.() === 0;
  (root ? test.skip : test)('a directory we may not write into', () => {
    const dir = tmp();
    fs.chmodSync(dir, 0o500);
    try {
      expect(refusal(path.join(dir, 'run')).message).toBe(`${path.join(dir, 'run')}: cannot be created in ${dir}: permission denied`);
    } finally {
      fs.chmodSync(dir, 0o700);
    }
  });
  if (root) console.log('ensureDir: the permission case skipped, root may write anywhere');

  // A read-only tmpfs, where this machine lets us mount one (root, a kernel that allows it).
  const readOnly = tmp();
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', readOnly], { encoding: 'utf8' });
  afterAll(() => void (mounted.status === 0 && spawnSync('umount', [readOnly])));
  (mounted.status === 0 ? test : test.skip)('a read-only mount', () => {
    expect(refusal(path.join(readOnly, 'run')).message).toBe(`${path.join(readOnly, 'run')}: cannot be created in ${readOnly}: its file system is read-only`);
  });
  if (mounted.status !== 0) console.log(`ensureDir: the read-only case skipped, no tmpfs mount here (${(mounted.stderr || mounted.error?.message || '').trim()})`);
});
