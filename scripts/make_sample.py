#!/usr/bin/env python
"""Draw the small CIFAKE sample that ships inside the package (`cifake_fastai/sample`).

Deterministic: the same archives and seed always give the same files. Balanced over split, label
(REAL/FAKE) and the ten CIFAR-10 classes encoded in the file names; any image whose contents occur
more than once anywhere in CIFAKE (the known FAKE duplicates and the train/test leakage) is left out.

    python scripts/make_sample.py --src ../shared/data/cifake --dest cifake_fastai/sample
    python scripts/make_sample.py --dest cifake_fastai/sample_large --n-train 300 --n-test 50 --exclude cifake_fastai/sample/manifest.csv
"""
import argparse, csv, hashlib, random, shutil, tarfile
from collections import Counter, defaultdict
from pathlib import Path

from cifake_fastai.core import CIFAR10_CLASSES, cifake_class     # the class names and the file-name rule: one home, in the package

def read_archive(tar_path):
    "Yield (relative path, bytes) for every image in a CIFAKE tar archive."
    with tarfile.open(tar_path) as tf:
        for m in tf:
            if m.isfile() and m.name.lower().endswith(('.jpg', '.jpeg', '.png')):
                yield m.name, tf.extractfile(m).read()

def main(src, dest, n_train=40, n_test=10, seed=42, exclude=None):
    src, dest = Path(src), Path(dest)
    skip = {r['sha256'] for r in csv.DictReader(open(exclude))} if exclude else set()
    data, hashes = {}, Counter()
    for split in ('train', 'test'):
        for name, b in read_archive(src/f'{split}.tar.gz'):
            h = hashlib.sha256(b).hexdigest()
            data[name] = (b, h); hashes[h] += 1
    groups = defaultdict(list)
    for name, (b, h) in data.items():
        if hashes[h] > 1 or h in skip: continue  # no duplicate contents, no train/test leakage, nothing of the excluded sample
        split, label, fname = name.split('/')
        groups[(split, label, CIFAR10_CLASSES.index(cifake_class(fname)))].append(name)
    rng = random.Random(seed)
    if dest.exists(): shutil.rmtree(dest)
    rows = []
    for (split, label, cls) in sorted(groups):
        k = n_train if split == 'train' else n_test
        for name in rng.sample(sorted(groups[(split, label, cls)]), k):
            out = dest/name
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(data[name][0])
            rows.append((name, data[name][1], CIFAR10_CLASSES[cls]))
    with open(dest/'manifest.csv', 'w', newline='') as f:
        w = csv.writer(f)
        w.writerow(('path', 'sha256', 'cifar10_class'))
        w.writerows(sorted(rows))
    print(f'wrote {len(rows)} images to {dest}')

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--src', default=str(Path(__file__).resolve().parents[1].parent/'shared'/'data'/'cifake'))
    p.add_argument('--dest', default=str(Path(__file__).resolve().parents[1]/'cifake_fastai'/'sample'))
    p.add_argument('--n-train', type=int, default=40, help='images per label and class in train/')
    p.add_argument('--n-test', type=int, default=10, help='images per label and class in test/')
    p.add_argument('--seed', type=int, default=42)
    p.add_argument('--exclude', default=None, help="another sample's manifest.csv: none of its images")
    a = p.parse_args()
    main(a.src, a.dest, a.n_train, a.n_test, a.seed, a.exclude)
