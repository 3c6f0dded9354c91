#!/usr/bin/env python
"""`cifake predict` on the whole CIFAKE (train/ and test/: 120,000 JPEGs) with the shipped detector, as a user runs it:
a fresh process, every line printed (to a file here), the CSV written as it goes. Memory: the peak resident set size of
the process (ru_maxrss), against the same command on the 200 bundled test images, whose peak is the import, the model and
one step; the difference is what the folder's size adds. The CSV must have a row for every readable image.

    python benchmarks/predict_folders.py          # data from $CIFAKE_PATH, else unpacked from ../shared/data/cifake

Last line: RESULT images_per_s=<n> peak_rss_mb=<MB> growth_mb=<MB over the 200-image run> rows=<CSV rows> n_images=<files>
"""
import resource, shutil, subprocess, sys, tempfile, time
from pathlib import Path

from provenance import cifake_root, recorded        # benchmarks/provenance.py: output also to benchmarks/results/

def run(args:list, out:Path)->tuple:
    "Seconds and the peak RSS (MB) of all children so far, for `cifake predict ARGS --csv out/p.csv` with its lines in out/lines.txt."
    exe = shutil.which('cifake') or str(Path(sys.executable).parent/'cifake')
    t = time.perf_counter()
    with open(out/'lines.txt', 'w') as f:
        r = subprocess.run([exe, 'predict', *args, '--csv', str(out/'p.csv'), '--overwrite'], stdout=f, stderr=subprocess.PIPE, text=True)
    secs = time.perf_counter() - t
    if r.returncode: sys.exit(r.stderr[-2000:])
    return secs, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss/1024

def main():
    import pandas as pd
    from cifake_fastai.core import list_images, sample_path
    root = cifake_root()
    n = sum(len(list_images(root/s)) for s in ('train', 'test'))
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        _, small = run([str(sample_path()/'test')], d)                 # first: ru_maxrss of children is the largest so far
        secs, big = run([str(root/'train'), str(root/'test')], d)
        rows = len(pd.read_csv(d/'p.csv', usecols=['path']))
        last = (d/'lines.txt').read_text().strip().splitlines()[-1]
    print(f'200 bundled test images: peak {small:.0f} MB')
    print(f'{n} CIFAKE images: {secs:.1f} s ({n/secs:.0f} images/s from the command\'s start), peak {big:.0f} MB '
          f'({big - small:+.0f} MB); {rows} CSV rows\nlast line: {last}')
    print(f'RESULT images_per_s={n/secs:.0f} peak_rss_mb={big:.0f} growth_mb={big - small:.0f} rows={rows} n_images={n}')

if __name__ == '__main__':
    with recorded('predict_folders'): main()
