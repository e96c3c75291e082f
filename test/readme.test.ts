// README is the front door: every `npm run <script>` it shows must exist in package.json.
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');

test('every npm run command in README.md is a script of package.json', () => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const scripts = Object.keys(JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts);
  const named = [...new Set([...readme.matchAll(/npm run ([a-z][\w:-]*)/g)].map((m) => m[1]))];
  expect(named.length).toBeGreaterThan(10);
  expect(named.filter((n) => !scripts.includes(n))).toEqual([]);
});
