// A minimal single-notebook JupyterLab 4 front end for test/jupyterlab.test.ts: the notebook widget,
// rendermime registry, sanitizer and output area JupyterLab itself uses (npm @jupyterlab/* 4.6),
// one notebook per page (?path=), every cell in the DOM (windowingMode 'none'), Shift+Enter, and
// `window.nbtest` for the test. Autosave is off unless the page is opened with ?autosave=SECONDS
// (JupyterLab's own default is on, every 120 s): the test turns it on to check what a save writes.
// Adapted from ../shared/jupyterlab (the recipe measured 2026-12-02).
import '@jupyterlab/notebook/style/index.css';
import '@jupyterlab/codemirror/style/index.css';
import '@jupyterlab/theme-light-extension/style/theme.css';
import { PageConfig } from '@jupyterlab/coreutils';
import { ServiceManager } from '@jupyterlab/services';
import { DocumentRegistry } from '@jupyterlab/docregistry';
import { DocumentManager } from '@jupyterlab/docmanager';
import { RenderMimeRegistry, standardRendererFactories } from '@jupyterlab/rendermime';
import { createMarkdownParser } from '@jupyterlab/markedparser-extension';
import { MathJaxTypesetter } from '@jupyterlab/mathjax-extension';
import { CodeMirrorEditorFactory, CodeMirrorMimeTypeService, EditorExtensionRegistry,
  EditorLanguageRegistry, EditorThemeRegistry, ybinding } from '@jupyterlab/codemirror';
import { NotebookActions, NotebookModelFactory, NotebookPanel, NotebookWidgetFactory,
  StaticNotebook } from '@jupyterlab/notebook';
import { CommandRegistry } from '@lumino/commands';
import { Widget } from '@lumino/widgets';

async function main(): Promise<void> {
  const manager = new ServiceManager();
  await manager.ready;

  const languages = new EditorLanguageRegistry();
  EditorLanguageRegistry.getDefaultLanguages().forEach(l => languages.addLanguage(l));
  const themes = new EditorThemeRegistry();
  EditorThemeRegistry.getDefaultThemes().forEach(t => themes.addTheme(t));
  const extensions = new EditorExtensionRegistry();
  EditorExtensionRegistry.getDefaultExtensions({ themes }).forEach(e => extensions.addExtension(e));
  extensions.addExtension({
    name: 'shared-model-binding',
    factory: options => {
      const shared = options.model.sharedModel as any;
      return EditorExtensionRegistry.createImmutableExtension(
        ybinding({ ytext: shared.ysource, undoManager: shared.undoManager ?? undefined }));
    }
  });
  const editorFactory = new CodeMirrorEditorFactory({ extensions, languages });

  const rendermime = new RenderMimeRegistry({
    initialFactories: standardRendererFactories,
    latexTypesetter: new MathJaxTypesetter(),
    markdownParser: createMarkdownParser(languages)
  });

  const registry = new DocumentRegistry();
  const opener = { open: (_w: Widget) => undefined,
    get opened() { return { connect: () => false, disconnect: () => false } as any; } };
  const docManager = new DocumentManager({ registry, manager, opener });
  const autosave = Number(PageConfig.getOption('autosave') || 0);
  docManager.autosave = autosave > 0; // off: a test that only looks never writes (and thereby signs/trusts) a notebook
  if (autosave > 0) docManager.autosaveInterval = autosave;
  registry.addModelFactory(new NotebookModelFactory({}));
  registry.addWidgetFactory(new NotebookWidgetFactory({
    name: 'Notebook', modelName: 'notebook', fileTypes: ['notebook'], defaultFor: ['notebook'],
    preferKernel: true, canStartKernel: true, rendermime,
    contentFactory: new NotebookPanel.ContentFactory({ editorFactory: editorFactory.newInlineEditor }),
    mimeTypeService: new CodeMirrorMimeTypeService(languages),
    notebookConfig: { ...StaticNotebook.defaultNotebookConfig, windowingMode: 'none' }
  }));

  const panel = docManager.open(PageConfig.getOption('notebookPath')) as NotebookPanel;
  panel.id = 'main';
  panel.addClass('jp-ThemedContainer');
  Widget.attach(panel, document.body);
  window.addEventListener('resize', () => panel.update());

  // Shift+Enter = run cell and advance, as in JupyterLab.
  const commands = new CommandRegistry();
  commands.addCommand('run-and-advance', {
    execute: () => NotebookActions.runAndAdvance(panel.content, panel.sessionContext)
  });
  commands.addKeyBinding({ command: 'run-and-advance', keys: ['Shift Enter'], selector: '.jp-Notebook' });
  document.addEventListener('keydown', e => commands.processKeydownEvent(e), true);

  await panel.context.ready;
  // Test hook: Playwright can await sessionContext.ready and call NotebookActions directly.
  (window as any).nbtest = { panel, NotebookActions, manager };
  document.body.dataset.nbtestReady = 'true';
}

window.addEventListener('load', () => void main());
