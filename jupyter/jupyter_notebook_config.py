# The classic Notebook 6 in this project: see reduced_outputs.py.
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reduced_outputs import keep_full_outputs  # noqa: E402

c = get_config()  # noqa: F821 (provided by traitlets)
c.ContentsManager.pre_save_hook = keep_full_outputs
