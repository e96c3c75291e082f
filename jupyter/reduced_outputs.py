"""Keeps a committed notebook's full-setting outputs when the notebook is saved without them: run
in the reduced setting, or saved while a run is clearing and redrawing its outputs (before its
first cell has said which setting it runs in). JupyterLab autosaves every 120 s and has no
per-notebook switch, so the guard is on the server: a contents-manager pre-save hook (jupyter_server
and the classic Notebook alike). When the file on disk holds full-setting outputs and the notebook
being saved does not, the notebook is written to <results>/notebooks-reduced/<name> instead
(results = $VAE_NB_RESULTS or the project's results/, where the reduced runs live) and the file's
own content is saved back in its place. `npm run lab` / `npm run notebook` load it through
jupyter_server_config.py / jupyter_notebook_config.py here (JUPYTER_CONFIG_PATH); `npm test`
refuses a committed notebook holding reduced outputs too."""
import json
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# What notebooks/display.ts begin() prints, per setting.
FULL = 'setting: full ('
REDUCED = 'setting: REDUCED ('


def _text(value):
    return ''.join(value) if isinstance(value, list) else (value or '')


def holds(notebook, marker):
    """Whether a notebook (nbformat 4 as a dict) has an output saying `marker`."""
    for cell in notebook.get('cells', []):
        for out in cell.get('outputs', []) or []:
            if marker in _text(out.get('text')) or marker in _text((out.get('data') or {}).get('text/plain')):
                return True
    return False


def reduced_copy_path(name):
    base = os.environ.get('VAE_NB_RESULTS') or os.path.join(ROOT, 'results')
    return os.path.join(base, 'notebooks-reduced', name)


def keep_full_outputs(model, path, contents_manager, **kwargs):
    if model.get('type') != 'notebook' or not isinstance(model.get('content'), dict):
        return
    if holds(model['content'], FULL):
        return
    try:
        with open(contents_manager._get_os_path(path), encoding='utf-8') as f:
            saved = json.load(f)
    except (OSError, ValueError):
        return  # a new file, or not a notebook on disk: nothing to keep
    if not holds(saved, FULL) or holds(saved, REDUCED):
        return
    what = 'reduced-setting outputs' if holds(model['content'], REDUCED) else 'no full-setting outputs'
    copy = reduced_copy_path(os.path.basename(path))
    os.makedirs(os.path.dirname(copy), exist_ok=True)
    tmp = copy + '.tmp-save'
    with open(tmp, 'w', encoding='utf-8') as f:
        json.dump(model['content'], f, indent=1, ensure_ascii=False)
        f.write('\n')
    os.replace(tmp, copy)
    model['content'] = saved
    contents_manager.log.warning('%s holds %s: saved to %s; %s keeps its full-setting outputs', path, what, copy, path)
