#!/usr/bin/env python
"""The shortcut check (`audit.shortcut_check`) on CIFAKE and on folders with a shortcut planted: how well a classifier that
sees only how the files were made (format, extension, size, mode, JPEG quantisation tables and subsampling, EXIF, ICC,
progressive) tells REAL from FAKE. 50% is chance; above `SHORTCUT_ALARM` (60%) the audit warns and `train_run` warns before
training.

Planted folders, built from CIFAKE's own test images (500 per class): `png_vs_jpeg` saves the FAKE images as PNG and the
REAL ones as JPEG (GenImage's shortcut); `quality` saves both as JPEG, FAKE at quality 95 and REAL at 75 (two encoders'
tables); `resized` saves FAKE at 64x64 and REAL at 32x32.

    python benchmarks/shortcuts.py            # data from $CIFAKE_PATH, else the shared copy

Last line: RESULT cifake_train=<%> cifake_test=<%> png_vs_jpeg=<%> quality=<%> resized=<%> n_train=<files read>
"""
import argparse, tempfile, time
from pathlib import Path
from provenance import cifake_root, recorded

def planted(src:Path, out:Path, kind:str, n:int=500)->Path:
    "A folder of `n` images per class from `src`, saved so that how a file was made says its class (`kind`)."
    from PIL import Image
    for lbl in ('FAKE', 'REAL'):
        (out/lbl).mkdir(parents=True)
        for f in sorted((src/lbl).iterdir())[:n]:
            im = Image.open(f).convert('RGB')
            if kind == 'png_vs_jpeg': im.save(out/lbl/(f.stem + ('.png' if lbl == 'FAKE' else '.jpg')), quality=90)
            elif kind == 'quality': im.save(out/lbl/(f.stem + '.jpg'), quality=95 if lbl == 'FAKE' else 75)
            else: (im.resize((64, 64)) if lbl == 'FAKE' else im).save(out/lbl/(f.stem + '.jpg'), quality=90)
    return out

def main(data=None):
    from cifake_fastai.audit import shortcut_check, shortcut_text
    root = cifake_root(data)
    res = {}
    for split in ('train', 'test'):
        fs = sorted(p for lbl in ('FAKE', 'REAL') for p in (root/split/lbl).iterdir())
        t = time.time()
        score, facts, n = shortcut_check(fs, [p.parent.name for p in fs])
        res[f'cifake_{split}'], res[f'n_{split}'] = score, n
        print(f"CIFAKE {split}/ ({len(fs):,} files, {time.time() - t:.1f} s): {shortcut_text(score, n)}")
        print(facts.to_string(index=False), '\n')
    with tempfile.TemporaryDirectory() as d:
        for kind in ('png_vs_jpeg', 'quality', 'resized'):
            f = planted(root/'test', Path(d)/kind, kind)
            fs = sorted(p for lbl in ('FAKE', 'REAL') for p in (f/lbl).iterdir())
            score, facts, n = shortcut_check(fs, [p.parent.name for p in fs])
            res[kind] = score
            print(f"planted {kind}: {shortcut_text(score, n)}")
            print(facts.to_string(index=False), '\n')
    print(f"RESULT cifake_train={100*res['cifake_train']:.1f} cifake_test={100*res['cifake_test']:.1f} png_vs_jpeg={100*res['png_vs_jpeg']:.1f} "
          f"quality={100*res['quality']:.1f} resized={100*res['resized']:.1f} n_train={res['n_train']}")

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--data', default=None, help='CIFAKE folder or the folder with train.tar.gz and test.tar.gz')
    a = p.parse_args()
    with recorded('shortcuts'): main(a.data)
