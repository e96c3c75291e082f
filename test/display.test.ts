// What a notebook cell shows while it trains, without a kernel: tslab is replaced by a recorder of
// display updates, and nb.run trains a small run (reduced setting, 3 epochs) then loads it.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

interface Update { kind: string; value: string }
jest.mock('tslab', () => {
  const handles: Update[][] = []; // one list of updates per display
  const record = () => {
    const updates: Update[] = [];
    handles.push(updates);
    const put = (kind: string) => (value: string | Uint8Array) => updates.push({ kind, value: String(value) });
    return { text: put('text'), html: put('html'), png: put('png'), markdown: put('markdown'), javascript: put('javascript'), svg: put('svg'), jpeg: put('jpeg'), gif: put('gif'), pdf: put('pdf'), latex: put('latex'), raw: put('raw') };
  };
  return { newDisplay: record, display: record(), recorded: handles };
});
// eslint-disable-next-line @typescript-eslint/no-var-requires
const handles: Update[][] = require('tslab').recorded;

// eslint-disable-next-line import/first
import * as nb from '../notebooks/display';

describe('a notebook cell that trains (tslab recorded)', () => {
  const results = fs.mkdtempSync(path.join(os.tmpdir(), 'nb-display-'));
  const env = { ...process.env };
  beforeAll(() => {
    process.env.VAE_NB_QUICK = '1';
    process.env.VAE_NB_RESULTS = results;
  });
  afterAll(() => {
    process.env = env;
  });

  test('the progress line and the curves figure update in place after every epoch; a loaded run draws the figure once', async () => {
    const { data } = await nb.begin('full');
    const before = handles.length;
    const r = await nb.run('small', { dimZ: 2, nHidden: 32, numEpochs: 3, seed: 4 }, data);
    expect(r.loaded).toBe(false);
    const [line, figure] = handles.slice(before);
    expect(handles.length - before).toBe(2); // one progress display, one figure display: updated, never added to
    const titles = figure.map((u) => /"title":\{"text":"([^"]*)"/.exec(u.value)?.[1]);
    expect(figure.every((u) => u.kind === 'html')).toBe(true);
    expect(titles).toEqual(['small: 1 of 3 epochs', 'small: 2 of 3 epochs', 'small: 3 of 3 epochs']);
    // Each update is a figure: its static PNG (Chromium here) or the note saying there is none, and its script.
    for (const u of figure) expect(u.value).toMatch(/(<img src="data:image\/png;base64,|no static copy).*newPlot\(/s);
    const lastText = line.filter((u) => u.kind === 'text').pop()!.value.split('\n');
    expect(lastText).toHaveLength(3);
    expect(lastText[2]).toMatch(/^small epoch 3\/3: test loss \d+\.\d\d \(reconstruction \d+\.\d\d, KL \d+\.\d\d, active units [0-2]\/2\), \d+\.\d s$/);
    r.model.dispose();

    const again = handles.length;
    const loaded = await nb.run('small', { dimZ: 2, nHidden: 32, numEpochs: 3, seed: 4 }, data);
    expect(loaded.loaded).toBe(true);
    const drawn = handles.slice(again).flat();
    expect(drawn.filter((u) => u.kind === 'html')).toHaveLength(1);
    expect(drawn[0].value).toContain('"text":"small: 3 of 3 epochs"');
    expect(drawn.filter((u) => u.kind === 'text')).toEqual([]); // nothing trained, no progress
    loaded.model.dispose();
    await nb.end();
  }, 120000);
});
