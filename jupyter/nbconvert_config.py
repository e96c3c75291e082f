# nbconvert settings for `npm run notebooks`: a failing cell prints its real error (nbconvert
# alone prints only "<Error>:"), a pause after it keeps tslab from aborting later requests, and
# execution counts are filled in (tslab sends none).
import sys
import time

c = get_config()  # noqa: F821 (provided by traitlets when nbconvert loads this file)
c.ExecutePreprocessor.kernel_name = 'tslab-vae'
c.ExecutePreprocessor.timeout = 7200


def on_cell_error(cell, cell_index, execute_reply, **kwargs):
    errors = [o for o in cell.get('outputs', []) if o.get('output_type') == 'error' or o.get('name') == 'stderr']
    text = '\n'.join(o.get('text', '') or '\n'.join(o.get('traceback', [])) or o.get('evalue', '') for o in errors)
    sys.stderr.write(f'\n--- cell {cell_index} failed ---\n{cell.source}\n--- its error ---\n{text}\n')
    time.sleep(0.5)


counter = {'n': 0}


def on_cell_executed(cell, cell_index, execute_reply, **kwargs):
    if cell.cell_type == 'code':
        counter['n'] += 1
        cell.execution_count = counter['n']


c.ExecutePreprocessor.on_cell_error = on_cell_error
c.ExecutePreprocessor.on_cell_executed = on_cell_executed
