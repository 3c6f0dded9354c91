"""Benchmark output with its provenance: what a benchmark prints also goes to `benchmarks/results/<name>.txt`, after a
header with the command, the date, the machine's cores and the versions of Python, torch, fastai and cifake_fastai."""
import contextlib, datetime, os, platform, sys
from pathlib import Path

RESULTS = Path(__file__).resolve().parent/'results'
SHARED = Path(__file__).resolve().parents[1].parent/'shared'/'data'/'cifake'    # the full CIFAKE beside the checkout (also in CI)

def cifake_root(data=None, out=None)->Path:
    "The full CIFAKE: `data`, else $CIFAKE_PATH, else the shared copy beside the checkout; never downloaded (`out`: where archives unpack)."
    from cifake_fastai.external import get_cifake
    return get_cifake(data or os.environ.get('CIFAKE_PATH') or SHARED, out=out, download=False)

def epoch_seconds(t:str)->float:
    "Seconds of one of fastai's logged epoch times ('[h:]mm:ss')."
    return float(sum(int(v)*60**i for i, v in enumerate(reversed(t.split(':')))))

class _Tee:
    "A stream that writes to several streams."
    def __init__(self, *streams): self.streams = streams
    def write(self, s):
        s = s.replace('\r', '').replace('█', '')      # what fastprogress prints even with NO_BAR: no residue in results
        for st in self.streams: st.write(s); st.flush()
        return len(s)
    def flush(self):
        for st in self.streams: st.flush()

def _git()->str:
    "The commit of the working tree, and whether it has uncommitted changes."
    import subprocess
    run = lambda *a: subprocess.run(['git', *a], capture_output=True, text=True, cwd=RESULTS.parent).stdout.strip()
    if os.environ.get('BENCH_CODE'): return os.environ['BENCH_CODE']      # a copy without .git (e.g. on a lent GPU machine)
    head = run('rev-parse', '--short', 'HEAD') or 'not a git checkout'
    dirty = run('status', '--porcelain', '--untracked-files=no', '--', ':/', ':(top,exclude)benchmarks/results')   # not the output being written
    return f"commit {head}{' with uncommitted changes' if dirty else ''}"

@contextlib.contextmanager
def recorded(name:str):
    "Print to the terminal and to `benchmarks/results/{name}.txt`, starting with a provenance header."
    import torch, fastai, cifake_fastai
    import fastprogress.fastprogress as fp
    fp.NO_BAR = True                    # progress bars would leave their residue in the results file; tables still print
    RESULTS.mkdir(exist_ok=True)
    with open(RESULTS/f'{name}.txt', 'w') as f:
        old, sys.stdout = sys.stdout, _Tee(sys.stdout, f)
        try:
            print(f"# python {' '.join(['benchmarks/'+Path(sys.argv[0]).name] + sys.argv[1:])}")
            print(f'# {datetime.datetime.now():%Y-%m-%d %H:%M} on {os.cpu_count()} CPU cores ({platform.machine()}); python '
                  f'{platform.python_version()}, torch {torch.__version__} ({torch.get_num_threads()} threads), fastai {fastai.__version__}, '
                  f'cifake_fastai {cifake_fastai.__version__}; GPU: {torch.cuda.get_device_name() if torch.cuda.is_available() else "none"}')
            print(f'# code: {_git()}')
            yield
        finally: sys.stdout = old

def result_line(name:str)->dict:
    "The `RESULT` line of `benchmarks/results/{name}.txt`, as numbers where they are numbers."
    line = next(l for l in (RESULTS/f'{name}.txt').read_text().splitlines() if l.startswith('RESULT '))
    def num(v):
        try: return float(v)
        except ValueError: return v
    return {k: num(v) for k, v in (o.split('=', 1) for o in line.split()[1:])}

def ablation_rows(name:str):
    "The per-variant table an ablation (`cpu_recipe_ablation.py`, `robust_ablation.py`) wrote to `benchmarks/results/{name}.txt`."
    import pandas as pd
    ls = (RESULTS/f'{name}.txt').read_text().splitlines()
    hdr = [i for i, l in enumerate(ls[:-1]) if l.split()[:2] == ['variant', 'minutes']]
    t = pd.DataFrame([ls[i+1].split() for i in hdr], columns=ls[hdr[0]].split()).set_index('variant')
    return t.astype({c: float for c in t.columns if c != 'worst_name'})

def recipe_run(name:str)->dict:
    "The RESULT line of a `cpu_train.py` run, with the number of epochs and the best validation accuracy of its history."
    ls = (RESULTS/f'{name}.txt').read_text().splitlines()
    i = next(i for i, l in enumerate(ls) if l.split()[:2] == ['phase', 'epoch'])
    acc = [float(l.split()[5]) for l in ls[i+1:i+1+100] if len(l.split()) == 7]
    return result_line(name) | dict(epochs=len(acc), best_valid_acc=round(100*max(acc), 2))
