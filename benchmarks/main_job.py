#!/usr/bin/env python
"""The README's main job as a new user runs it: `cifake train --recipe --large-sample` in a fresh process with an empty
image cache, timed from the command's start to its exit (imports, decoding the bundled images, training, the test
evaluation, plots and report), and the accuracy it prints on the bundled held-out test images.

    python benchmarks/main_job.py
    python benchmarks/main_job.py --robust --name main_job_robust    # the same with the robust recipe (`--robust`)

Last line: RESULT main_job_test_acc=<%> main_job_seconds=<s> n_test=<images>
"""
import argparse, os, re, shutil, subprocess, sys, tempfile, time
from pathlib import Path

from provenance import recorded

CMD = ['cifake', 'train', '--recipe', '--large-sample']          # the README's main job

def main(out, robust=False):
    exe = shutil.which('cifake') or str(Path(sys.executable).parent/'cifake')
    env = {k: v for k, v in os.environ.items() if k != 'CIFAKE_CACHE'}
    env['XDG_CACHE_HOME'] = str(Path(out)/'cache')               # nothing cached yet: as after a fresh install
    t = time.perf_counter()
    cmd = CMD + (['--robust'] if robust else [])
    r = subprocess.run([exe, *cmd[1:], '--runs', str(Path(out)/'runs'), '--name', 'main'], env=env, capture_output=True, text=True, cwd=out)
    secs = time.perf_counter() - t
    last = [l for l in r.stdout.splitlines() if 'test accuracy' in l]
    shown = (last[-1] if last else r.stderr[-2000:]).replace(str(out), '<temporary folder>')
    print(f"$ {' '.join(cmd)}   (exit {r.returncode}, {secs:.0f} s)\n{shown}")
    m = re.search(r'test accuracy ([\d.]+)% \((\d+)/(\d+)\)', last[-1] if last else '')
    if r.returncode or not m: sys.exit(f'the main job failed (exit {r.returncode})')
    print(f'RESULT main_job_test_acc={float(m.group(1)):.2f} main_job_seconds={secs:.0f} n_test={m.group(3)}')

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--robust', action='store_true', help='the robust recipe: cifake train --recipe --robust --large_sample')
    p.add_argument('--name', default='main_job', help='results file: benchmarks/results/<name>.txt')
    a = p.parse_args()
    with tempfile.TemporaryDirectory() as out, recorded(a.name): main(out, a.robust)
