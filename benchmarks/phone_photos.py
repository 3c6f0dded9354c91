#!/usr/bin/env python
"""Photos as phones store them: the pixels as the sensor saw them and an EXIF Orientation tag saying how to turn them.

CIFAKE test images (`--max_n`, the same share of each class), each stored as a JPEG the way a phone stores it for every
turned orientation (tags 2-8: mirrored, turned 90, 180 or 270 degrees), and as an upright JPEG of the same quality;
`predict_images` (the product path: the default engine, verdicts forced at the detector's threshold) judges every copy.
Before the package applied the tag, a photo stored with tag 6 was judged lying on its side.

    python benchmarks/phone_photos.py

Last line: RESULT upright_acc=<accuracy on the upright copies> worst_tag_acc=<accuracy on the copies of the worst tag>
           worst_tag=<its tag> same_verdict=<share of turned copies with the upright copy's verdict> n=<images>
"""
import argparse, tempfile
from pathlib import Path
import numpy as np
from PIL import Image
from provenance import cifake_root, recorded

STORED = {2: Image.FLIP_LEFT_RIGHT, 3: Image.ROTATE_180, 4: Image.FLIP_TOP_BOTTOM, 5: Image.TRANSPOSE, 6: Image.ROTATE_90,
          7: Image.TRANSVERSE, 8: Image.ROTATE_270}              # how a phone stores an upright picture for each tag

def main(data=None, max_n=2000):
    from cifake_fastai.data import sample_files
    from cifake_fastai.core import list_images
    from cifake_fastai.detector import load_detector
    from cifake_fastai.inference import predict_images
    test = cifake_root(data)/'test'
    files = sample_files([test/f for f in list_images(test)], max_n)
    det = load_detector()
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        for tag in [1, *STORED]:
            (d/str(tag)).mkdir()
            for i, f in enumerate(files):
                im, ex = Image.open(f).convert('RGB'), Image.Exif()
                if tag > 1: im, ex[0x0112] = im.transpose(STORED[tag]), tag
                im.save(d/str(tag)/f'{i:05d}-{f.parent.name}.jpg', quality=95, exif=ex)
        truth = np.array([f.parent.name for f in files])
        verdict = {t: predict_images(det, sorted((d/str(t)).iterdir()), unsure=False).prediction.values for t in [1, *STORED]}
    acc = {t: 100*float((v == truth).mean()) for t, v in verdict.items()}
    same = 100*float(np.mean([(verdict[t] == verdict[1]).mean() for t in STORED]))
    for t, a in acc.items(): print(f"EXIF orientation {t}{' (upright)' if t == 1 else ''}: {a:.2f}% of {len(files)} test images right")
    worst = min(STORED, key=acc.get)
    print(f"RESULT upright_acc={acc[1]:.2f} worst_tag_acc={acc[worst]:.2f} worst_tag={worst} same_verdict={same:.2f} n={len(files)}")

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--data', default=None); p.add_argument('--max_n', type=int, default=2000); p.add_argument('--name', default='phone_photos')
    a = p.parse_args()
    with recorded(a.name): main(a.data, a.max_n)
