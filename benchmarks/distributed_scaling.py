#!/usr/bin/env python
"""The CPU recipe in 1 and in 2 processes (accelerate): images per second of each, their ratio, and whether they agree.

Both runs train `train_cpu_recipe` on the larger bundled sample (4,800 training images) for the same number of optimiser
steps: one process with batch 256, two with 128 each (the same effective batch). Time is measured in the main process
around `train_cpu_recipe` (model, loaders, every epoch with its validation); the image cache is built before either run.
The two agree when their accuracies on the 1,000 bundled test images differ by less than 3 sigma of a difference. On
2 cores expect little speed-up: each process gets one thread (accelerate sets OMP_NUM_THREADS=1), the single process two.

    python benchmarks/distributed_scaling.py             # 1 and 2 processes, 6 epochs each
    python benchmarks/distributed_scaling.py --one       # 1 process only (e.g. on one GPU)

Last line: RESULT scaling_2proc=<x> same_accuracy=<true|false> images_per_s_1proc=<x> images_per_s_2proc=<x>
"""
import argparse, json, math, subprocess, sys, tempfile, time
from pathlib import Path

HERE = Path(__file__).resolve()

def worker(out:Path, bs:int, epochs:int):
    import torch
    from fastai.torch_core import set_seed
    from cifake_fastai.core import sample_path
    import shutil
    from cifake_fastai.train import train_cpu_recipe
    from cifake_fastai.distrib import main_process, on_main, barrier
    from fastai.torch_core import num_distrib
    from cifake_fastai.evaluate import evaluate
    set_seed(42)
    path = sample_path(large=True)
    d = on_main(tempfile.mkdtemp)          # one output folder for all processes: the main one's (checkpoints are shared)
    t = time.perf_counter()
    learn = train_cpu_recipe(path/'train', epochs=epochs, bs=bs, valid_pct=0.2, out=d)
    secs = time.perf_counter() - t
    barrier()
    if not main_process(): return
    shutil.rmtree(d, ignore_errors=True)
    ws = max(1, num_distrib())
    per_proc = math.ceil(len(learn.dls.train_ds)/ws)//bs*bs         # images each process trains on per epoch (drop_last)
    res = dict(processes=ws, bs=bs, epochs=epochs, seconds=secs, images=epochs*ws*per_proc,
               device='cuda' if torch.cuda.is_available() else 'cpu', accuracy=evaluate(learn, path/'test', bs=1024).record['accuracy'])
    Path(out).write_text(json.dumps(res))

def run(n:int, out:Path, epochs:int)->dict:
    bin_ = Path(sys.executable).parent
    launch = [str(bin_/'accelerate'), 'launch', '--multi_gpu', '--num_processes', str(n), '--num_machines', '1', '--mixed_precision', 'no',
              '--dynamo_backend', 'no'] if n > 1 else [sys.executable]
    f = out/f'{n}.json'
    r = subprocess.run(launch + [str(HERE), '--worker', str(f), '--bs', str(256//n), '--epochs', str(epochs)], capture_output=True, text=True)
    if r.returncode: sys.exit(f'{n} process(es) failed:\n{r.stderr[-3000:]}')
    res = json.loads(f.read_text())
    res['images_per_s'] = res['images']/res['seconds']
    print(f"{n} process(es), batch {res['bs']} each, on {res['device']}: {res['images']} images in {res['seconds']:.1f} s "
          f"({res['images_per_s']:.0f} images/s); test accuracy {res['accuracy']:.2f}%", flush=True)
    return res

def main(epochs:int, one:bool):
    from provenance import recorded
    with recorded('distributed_scaling' + ('_1proc' if one else '')), tempfile.TemporaryDirectory() as d:
        from cifake_fastai.core import sample_path
        from cifake_fastai.cache import image_files
        image_files(sample_path(large=True)/'train'); image_files(sample_path(large=True)/'test')    # the cache, before timing
        r1 = run(1, Path(d), epochs)
        if one: print(f"RESULT images_per_s_1proc={r1['images_per_s']:.0f} test_acc_1proc={r1['accuracy']:.2f}"); return
        r2 = run(2, Path(d), epochs)
        p = r1['accuracy']/100
        noise = 3*100*math.sqrt(2*p*(1 - p)/1000)
        same = abs(r1['accuracy'] - r2['accuracy']) <= noise
        print(f"accuracy difference {abs(r1['accuracy'] - r2['accuracy']):.2f} points (3 sigma: {noise:.2f})")
        print(f"RESULT scaling_2proc={r2['images_per_s']/r1['images_per_s']:.2f} same_accuracy={str(same).lower()} "
              f"images_per_s_1proc={r1['images_per_s']:.0f} images_per_s_2proc={r2['images_per_s']:.0f}")

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--epochs', type=int, default=6, help='epochs of each run')
    p.add_argument('--one', action='store_true', help='only the 1-process run')
    p.add_argument('--worker', default=None, help=argparse.SUPPRESS)
    p.add_argument('--bs', type=int, default=256, help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.worker: worker(a.worker, a.bs, a.epochs)
    else: main(a.epochs, a.one)
