// The notebooks' code type-checks as tslab checks it (its compiler options: not strict, ESNext
// modules, Node resolution from the repository root), so a cell cannot fail at execution on a type
// error. tslab reports such an error in nbconvert as an empty `<Error>:`; here it names the
// notebook, the cell and TypeScript's message.
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

const ROOT = path.join(__dirname, '..');
const DIR = path.join(ROOT, 'notebooks');
const NAMES = fs.readdirSync(DIR).filter((f) => f.endsWith('.ipynb')).sort();

interface Cell {
  cell_type: string;
  source: string | string[];
}

/** A notebook's code cells as one module at the repository root, and the first line of each cell. */
function notebookModule(name: string): { file: string; text: string; cellStarts: number[] } {
  const cells = (JSON.parse(fs.readFileSync(path.join(DIR, name), 'utf8')).cells as Cell[]).filter((c) => c.cell_type === 'code');
  const cellStarts: number[] = [];
  let text = '';
  for (const c of cells) {
    cellStarts.push(text.split('\n').length - 1);
    text += (Array.isArray(c.source) ? c.source.join('') : c.source) + '\n';
  }
  return { file: path.join(ROOT, `__${name.replace('.ipynb', '')}.ts`), text: text + 'export {};\n', cellStarts };
}

/** TypeScript's errors in the given modules, each as "notebook, cell N: message". */
function typeErrors(modules: ReturnType<typeof notebookModule>[]): string[] {
  const options: ts.CompilerOptions = {
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    target: ts.ScriptTarget.ES2022,
    esModuleInterop: true,
    resolveJsonModule: true,
    skipLibCheck: true,
    noEmit: true,
  };
  const byFile = new Map(modules.map((m) => [m.file, m]));
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.getSourceFile = (f, v, ...rest) => (byFile.has(f) ? ts.createSourceFile(f, byFile.get(f)!.text, v) : getSourceFile.call(host, f, v, ...rest));
  host.fileExists = (f) => byFile.has(f) || fileExists.call(host, f);
  host.readFile = (f) => byFile.get(f)?.text ?? readFile.call(host, f);
  const program = ts.createProgram([...byFile.keys()], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const m = d.file && byFile.get(d.file.fileName);
    const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    if (!m || d.start === undefined) return `${d.file?.fileName ?? '(options)'}: ${message}`;
    const line = d.file!.getLineAndCharacterOfPosition(d.start).line;
    const cell = m.cellStarts.filter((s) => s <= line).length;
    return `${path.basename(m.file).slice(2, -3)}.ipynb, code cell ${cell}: ${message}`;
  });
}

describe('notebook code type-checks as in tslab', () => {
  test('every code cell of the eight notebooks compiles without a type error', () => {
    expect(NAMES).toHaveLength(8);
    expect(typeErrors(NAMES.map(notebookModule))).toEqual([]);
  }, 120_000);

  test('a cell with a type error is reported with its notebook and cell', () => {
    const m = notebookModule(NAMES[0]);
    const broken = { ...m, text: m.text.replace('export {};', "const n: number = 'three';\nexport {};"), cellStarts: [...m.cellStarts, m.text.split('\n').length - 2] };
    const errors = typeErrors([broken]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(new RegExp(`^${NAMES[0].replace('.', '\\.')}, code cell ${broken.cellStarts.length}: Type 'string' is not assignable to type 'number'`));
  }, 120_000);
});
