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
