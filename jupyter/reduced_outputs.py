"""Keeps a committed notebook's full-setting outputs when a notebook run in the reduced setting is
saved. JupyterLab autosaves every 120 s and has no per-notebook switch, so the guard is on the
server: a contents-manager pre-save hook (jupyter_server and the classic Notebook alike) that, when
the notebook being saved holds reduced-setting outputs and the file on disk does not, writes the
notebook to <results>/notebooks-reduced/<name> instead (results = $VAE_NB_RESULTS or the project's
results/, where the reduced runs live) and saves the file's own content back in its place.
`npm run lab` / `npm run notebook` load it through jupyter_server_config.py /
jupyter_notebook_config.py here (JUPYTER_CONFIG_PATH); `npm test` refuses reduced outputs too."""
import json
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MARKER = 'setting: REDUCED ('  # what notebooks/display.ts begin() prints in the reduced setting


def _text(value):
    return ''.join(value) if isinstance(value, list) else (value or '')


def holds_reduced_outputs(notebook):
    """Whether a notebook (nbformat 4 as a dict) holds outputs of the reduced setting."""
    for cell in notebook.get('cells', []):
        for out in cell.get('outputs', []) or []:
            if MARKER in _text(out.get('text')) or MARKER in _text((out.get('data') or {}).get('text/plain')):
                return True
    return False


def reduced_copy_path(name):
    base = os.environ.get('VAE_NB_RESULTS') or os.path.join(ROOT, 'results')
    return os.path.join(base, 'notebooks-reduced', name)


def keep_full_outputs(model, path, contents_manager, **kwargs):
    if model.get('type') != 'notebook' or not isinstance(model.get('content'), dict):
        return
    if not holds_reduced_outputs(model['content']):
        return
    on_disk = contents_manager._get_os_path(path)
    try:
        with open(on_disk, encoding='utf-8') as f:
            saved = json.load(f)
    except (OSError, ValueError):
        return  # a new file, or not a notebook on disk: nothing committed to keep
    if holds_reduced_outputs(saved):
        return
    copy = reduced_copy_path(os.path.basename(path))
    os.makedirs(os.path.dirname(copy), exist_ok=True)
    tmp = copy + '.tmp-save'
    with open(tmp, 'w', encoding='utf-8') as f:
        json.dump(model['content'], f, indent=1, ensure_ascii=False)
        f.write('\n')
    os.replace(tmp, copy)
    model['content'] = saved
    contents_manager.log.warning('%s holds reduced-setting outputs: saved to %s; %s keeps its full-setting outputs', path, copy, path)
