#!/usr/bin/env python
"""Run notebooks top to bottom and store their outputs, for the docs pages (then run `nbdev_clean`).

Progress bars are switched off while the notebooks run (they would leave residue in the stored outputs); cells flagged
`cifake` run only when `CIFAKE_PATH` is set. Afterwards every stored output is checked for this machine's paths, IPython
input names and progress-bar residue, which the docs must not show.

    python scripts/store_outputs.py                    # every notebook in nbs/ and its tutorials/
    python scripts/store_outputs.py nbs/08_evaluate.ipynb
    python scripts/store_outputs.py --no-slow nbs/12_cli.ipynb     # cells flagged `slow` keep the outputs they have
"""
import os, re, sys
from pathlib import Path
import fastprogress.fastprogress as fp
from execnb.nbio import read_nb, write_nb
from execnb.shell import CaptureShell

fp.NO_BAR = True                                                             # for every notebook run by this process
import warnings
# The library's warnings as users read them, without this machine's paths; warnings raised inside third-party packages
# (torch 2.14's deprecation of `torch.jit.script` that fastai uses, fastai's note on pickles in `load_learner`) not at all:
# not ours to show.
warnings.formatwarning = lambda msg, cat, filename, *args, **kwargs: '' if 'site-packages' in filename else f"{cat.__name__}: {msg}\n"
RESIDUE = re.compile(r'█*\r')                                               # progress-bar residue

NBS = Path(__file__).resolve().parents[1]/'nbs'
LEAKS = re.compile(r'/tmp/|/work/|/root/|/home/|site-packages|ipython-input|\r|█')
def _flags(cell)->set:
    return {w for l in cell.source.splitlines() if l.startswith('#|') for w in l[2:].split()}

def skip(cell)->bool:
    "Cells not to run: `cifake` ones without the dataset, and those `nbdev_test` never runs (`eval: false`, `gpu`, `network`: the tutorials'), and with `--no-slow` the `slow` ones."
    f = _flags(cell)
    if cell.cell_type != 'code': return False
    return (('cifake' in f and not os.environ.get('CIFAKE_PATH')) or bool(f & {'gpu', 'network'}) or {'eval:', 'false'} <= f
            or ('slow' in f and NO_SLOW))

def clean(nb):
    "Remove progress-bar residue and the known third-party warning from stored stream outputs."
    for c in nb.cells:
        if c.cell_type != 'code' or not c.get('outputs'): continue
        outs = []
        for o in c.outputs:
            if o.get('output_type') == 'stream':
                o['text'] = RESIDUE.sub('', ''.join(o['text']))
                if not o['text']: continue
            outs.append(o)
        c['outputs'] = outs
    return nb

def leaks(nb)->list:
    "(cell index, text) of every stored output that shows what the docs must not."
    res = []
    for i, c in enumerate(nb.cells):
        for o in c.get('outputs', []):
            texts = [o.get('text', '')] + [v for k, v in o.get('data', {}).items() if k.startswith('text/')] + o.get('traceback', [])
            for t in texts:
                t = ''.join(t) if isinstance(t, list) else str(t)
                if (m := LEAKS.search(t)): res.append((i, t[max(0, m.start()-60):m.end()+60].replace('\n', ' ')))
    return res

def main(paths):
    bad = 0
    for p in [Path(o).resolve() for o in paths]:
        os.chdir(p.parent)                        # as nbdev_test runs them
        nb, src = read_nb(p), p.with_name(f'.{p.stem}.storing.ipynb')   # beside it: the same folder for relative paths
        for c in nb.cells:                        # execnb leaves a cell's old outputs when it prints nothing this time
            if c.cell_type == 'code' and not skip(c): c['outputs'] = []
        write_nb(nb, src)                         # a copy: a notebook that fails keeps the outputs it had
        try: CaptureShell().execute(src, p, exc_stop=True, preproc=skip)
        finally: src.unlink(missing_ok=True)
        nb = clean(read_nb(p))
        write_nb(nb, p)
        found = leaks(nb)
        print(f'{p.name}: {"ok" if not found else f"{len(found)} output(s) to fix"}', flush=True)
        for i, t in found: print(f'  cell {i}: ...{t}...')
        bad += len(found)
    return 1 if bad else 0

NO_SLOW = '--no-slow' in sys.argv
if __name__ == '__main__':
    sys.argv = [a for a in sys.argv if a != '--no-slow']
    sys.exit(main(sys.argv[1:] or sorted(str(p) for p in NBS.rglob('*.ipynb') if not any(o.startswith(('.', '_')) for o in p.relative_to(NBS).parts))))
