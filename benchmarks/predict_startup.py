#!/usr/bin/env python
"""How long `cifake predict one.jpg` takes and how much memory it holds, start to finish, with the shipped detector (its
int8 ONNX copy): in this environment (the full install) and in a prediction-only install (`requirements-predict.txt`:
the package without its dependencies, then numpy, Pillow, pandas, fastcore, ONNX Runtime, safetensors and pi-heif: no
PyTorch, fastai or OpenCV), built in a fresh venv with `--slim` (from PyPI).

Each command runs once to warm the file cache and the engine's once-per-machine check, then `--runs` times; the time is
the wall time of the whole process (interpreter start included) and the memory its peak resident set (`os.wait4`).

    python benchmarks/predict_startup.py            # this environment only
    python benchmarks/predict_startup.py --slim     # also a fresh prediction-only venv (needs PyPI)

Last line: RESULT seconds=<median> rss_mb=<max> torch_imported=<0|1> [slim_seconds=<median> slim_rss_mb=<max> slim_mb=<installed size>
full_mb=<installed size>] runs=<n>
"""
import argparse, shutil, statistics, subprocess, sys, tempfile
from pathlib import Path
from provenance import recorded

ROOT = Path(__file__).resolve().parents[1]
CHECK = ("import sys; from cifake_fastai.cli import main; main(['predict', sys.argv[1]]); "
         "print('heavy modules imported:', sorted(m for m in ('torch', 'fastai', 'cv2', 'sklearn') if m in sys.modules))")

# os.wait4's peak RSS of a child counts what it inherited at fork (this process holds torch): a small launcher starts it
LAUNCH = ("import os, subprocess, sys, time; t = time.perf_counter(); p = subprocess.Popen(sys.argv[1:]); _, s, ru = os.wait4(p.pid, 0); "
          "print(f'{time.perf_counter() - t} {ru.ru_maxrss} {s}', file=sys.stderr)")

def timed(cmd:list)->tuple:
    "(wall seconds, peak RSS in MB, stdout) of one process."
    r = subprocess.run([sys.executable, '-c', LAUNCH, *cmd], capture_output=True, text=True, cwd=tempfile.gettempdir())
    dt, kb, status = r.stderr.strip().splitlines()[-1].split()
    if int(status): raise RuntimeError(f"{' '.join(cmd)} failed (status {status}): {r.stdout[-500:]}")
    return float(dt), int(kb)/1024, r.stdout

def measure(python:Path, img:Path, runs:int)->tuple:
    "(median seconds, max RSS MB, heavy modules line) of `cifake predict img` with this interpreter's `cifake`."
    cifake = [str(python.parent/'cifake'), 'predict', str(img)]
    timed(cifake)                                                    # warm
    res = [timed(cifake) for _ in range(runs)]
    heavy = timed([str(python), '-c', CHECK, str(img)])[2].strip().splitlines()[-1]
    return statistics.median(r[0] for r in res), max(r[1] for r in res), heavy

def site_sizes(python:Path)->dict:
    "MB of each entry of an environment's site-packages."
    sp = Path(subprocess.check_output([str(python), '-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'], text=True).strip())
    return {d.name: sum(f.stat().st_size for f in ([d] if d.is_file() else d.rglob('*')) if f.is_file() and not f.is_symlink())/2**20
            for d in sp.iterdir()}

def site_mb(sizes:dict)->float:
    "Installed size of an environment's packages, without pip and setuptools (which every venv has), in MB."
    return sum(mb for n, mb in sizes.items() if not n.startswith(('pip', 'setuptools', '_distutils')))

def slim_venv(d:Path)->Path:
    "A fresh venv with the prediction-only install."
    subprocess.run([sys.executable, '-m', 'venv', str(d)], check=True)
    py = d/'bin'/'python'
    subprocess.run([str(py), '-m', 'pip', 'install', '-q', '--no-deps', str(ROOT)], check=True)
    subprocess.run([str(py), '-m', 'pip', 'install', '-q', '-r', str(ROOT/'requirements-predict.txt')], check=True)
    return py

def main(runs:int, slim:bool):
    with tempfile.TemporaryDirectory() as d:
        img = Path(d)/'one.jpg'
        shutil.copy(sorted((ROOT/'cifake_fastai'/'sample'/'test'/'FAKE').iterdir())[0], img)
        s, rss, heavy = measure(Path(sys.executable), img, runs)
        full = site_mb(site_sizes(Path(sys.executable)))
        print(f"full install ({full:,.0f} MB of packages): cifake predict one.jpg {s:.2f} s (median of {runs}), peak RSS {rss:.0f} MB; {heavy}")
        line = f"RESULT seconds={s:.2f} rss_mb={rss:.0f} torch_imported={int('torch' in heavy)}"
        if slim:
            py = slim_venv(Path(d)/'slim')
            ss, srss, sheavy = measure(py, img, runs)
            sizes = site_sizes(py)
            smb = site_mb(sizes)
            pkgs = subprocess.check_output([str(py), '-m', 'pip', 'list', '--format=freeze'], text=True).split()
            print(f"prediction-only install ({smb:,.0f} MB of packages: {', '.join(p for p in pkgs if not p.startswith(('pip=', 'setuptools=')))}): "
                  f"{ss:.2f} s (median of {runs}), peak RSS {srss:.0f} MB; {sheavy}")
            print('largest: ' + ', '.join(f'{n} {mb:.0f} MB' for n, mb in sorted(sizes.items(), key=lambda o: -o[1])[:8]))
            line += f" slim_seconds={ss:.2f} slim_rss_mb={srss:.0f} slim_mb={smb:.0f} full_mb={full:.0f}"
        print(line + f" runs={runs}")

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--runs', type=int, default=5, help='timed runs after one warm-up')
    p.add_argument('--slim', action='store_true', help='also build and measure a prediction-only venv')
    a = p.parse_args()
    with recorded('predict_startup'): main(a.runs, a.slim)
