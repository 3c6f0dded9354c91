#!/usr/bin/env python
"""The robustness table on all of CIFAKE's test images: accuracy, ROC AUC and unchanged verdicts of a detector after each
perturbation of `PERTURBATIONS` (JPEG 95/75/50/30; shrinking to 0.75/0.5/0.33 and back with bilinear, bicubic and Lanczos
filters; blur sigma 0.5-2; noise sigma 4/8/16; the picture uploaded at 64-512 px; two zooms; three chains of two), for the
shipped detector and, with `--before`, the detector shipped at an earlier commit beside it.

    python benchmarks/robustness.py                        # the shipped detector
    python benchmarks/robustness.py --before 68f981e       # and the one shipped at that commit ("before")
    python benchmarks/robustness.py --model runs/NAME      # any other detector
    python benchmarks/robustness.py --before 68f981e --card   # and write the table into the shipped detector's model card
    python benchmarks/robustness.py --before 68f981e --beyond --max_n 5000 --name robustness_beyond   # transformations the table does not name

`--beyond` measures, instead of the table, everyday transformations that are in no row of it (WebP, colour, sharpening,
greyscale, rotations, mirror, frames, histogram equalisation, posterising, a tighter zoom, a stretched upload): a
detector tuned to the table's rows would fail these.

Writes benchmarks/results/<name>.txt and <name>.csv. Last line (for the detector of --model, default the shipped one):
RESULT clean_acc=<%> worst_acc=<%> worst_name=<perturbation> mean_acc=<%> min_auc=<x> min_same_verdict_upscaled=<%>
"""
import argparse, os, subprocess, tempfile, time
from pathlib import Path

import pandas as pd
from provenance import cifake_root, recorded, RESULTS        # benchmarks/provenance.py: output also to benchmarks/results/
ROOT = Path(__file__).resolve().parents[1]

def detector_at(rev:str, dest:Path)->Path:
    "The shipped detector's files as they were at git revision `rev`, copied into `dest`."
    dest.mkdir(parents=True, exist_ok=True)
    for f in ('model.safetensors', 'config.json'):
        for folder in ('shipped', 'detector'):              # its folder from f974b69 on, and before
            r = subprocess.run(['git', 'show', f'{rev}:cifake_fastai/{folder}/{f}'], cwd=ROOT, capture_output=True)
            if r.returncode == 0: (dest/f).write_bytes(r.stdout); break
        else: raise FileNotFoundError(f"no shipped detector at revision {rev}")
    return dest

def beyond()->dict:
    "Transformations of an upload that no row of `PERTURBATIONS` names (name -> function(PIL image) -> PIL image)."
    from PIL import Image, ImageEnhance, ImageFilter, ImageOps
    from cifake_fastai.degrade import chain, encode, jpeg, crop_resize
    def webp(q): return encode('WEBP', quality=q)
    def enhance(E, f): return lambda im: E(im).enhance(f)
    return {'clean': lambda im: im, 'webp q75': webp(75), 'webp q40': webp(40), 'jpeg q20': jpeg(20),
            'brighter 1.3': enhance(ImageEnhance.Brightness, 1.3), 'darker 0.7': enhance(ImageEnhance.Brightness, 0.7),
            'contrast 1.4': enhance(ImageEnhance.Contrast, 1.4), 'saturation 0.5': enhance(ImageEnhance.Color, 0.5),
            'saturation 1.5': enhance(ImageEnhance.Color, 1.5), 'gamma 0.8': lambda im: im.point(lambda v: round(255*(v/255)**0.8)),
            'unsharp mask': lambda im: im.filter(ImageFilter.UnsharpMask(2, 100, 2)), 'median 3': lambda im: im.filter(ImageFilter.MedianFilter(3)),
            'greyscale': lambda im: im.convert('L').convert('RGB'), 'equalize': ImageOps.equalize, 'posterize 5 bits': lambda im: ImageOps.posterize(im, 5),
            'rotate 5 deg': lambda im: im.rotate(5, Image.BILINEAR), 'quarter turn': lambda im: im.transpose(Image.ROTATE_90),
            'mirror': ImageOps.mirror, 'black frame 4px': lambda im: ImageOps.expand(im, 4, fill=(0, 0, 0)),
            'white frame 4px': lambda im: ImageOps.expand(im, 4, fill=(255, 255, 255)), 'crop 60% + resize': crop_resize(0.6),
            'shrink 0.5x nearest-up': lambda im: im.resize((im.width//2, im.height//2), Image.BILINEAR).resize(im.size, Image.NEAREST),
            'upscale 256px nearest': lambda im: im.resize((256, 256), Image.NEAREST),
            'stretched to 512x384': lambda im: im.resize((512, 384), Image.BICUBIC),
            'upscale 128px + blur 2 + jpeg q80': chain(lambda im: im.resize((128, 128), Image.BICUBIC),
                                                       lambda im: im.filter(ImageFilter.GaussianBlur(2)), jpeg(80))}

def compare(detectors:dict, test_path, max_n=None, perturbations=None)->tuple:
    "The robustness table of several detectors (name -> detector) on the same perturbed images: (as `robustness` gives it, side by side)."
    from cifake_fastai.evaluate import robustness
    t0 = time.time()
    t = robustness(detectors, test_path, perturbations, max_n=max_n, bs=1024)
    print(f'{len(detectors)} detectors, {t.perturbation.nunique()} perturbations of {t.n.iloc[0]} images: {(time.time() - t0)/60:.1f} min', flush=True)
    w = t.pivot(index='perturbation', columns='model', values=['accuracy', 'roc_auc', 'same_verdict']).swaplevel(axis=1)
    w = w[[(m, c) for m in detectors for c in ('accuracy', 'roc_auc', 'same_verdict')]].reindex(t.perturbation.unique())
    w[('n', '')] = t.groupby('perturbation', sort=False).n.first()
    return t, w

def card_section(t:pd.DataFrame, hw:str, cmd:str)->str:
    "The model card's robustness section from `compare`'s table."
    names = list(dict.fromkeys(t.columns.get_level_values(0)))[:-1]
    hdr = ' | '.join(f'{n}: accuracy | ROC AUC' for n in names)
    rows = [f"| {p} | " + ' | '.join(f"{r[(n, 'accuracy')]:.2f} | {r[(n, 'roc_auc')]:.4f}" for n in names) + ' |' for p, r in t.iterrows()]
    return '\n'.join([f'| perturbation | {hdr} |', '|---|' + '---|---|'*len(names), *rows, '',
                      f"All {int(t.n.iloc[0]):,} test images, each perturbed at its own size and then brought to 32x32 by the size policy "
                      f"(`square_resize`), as an uploaded file would be. Made by `{cmd}` on {hw}."])

def summary_line(t:pd.DataFrame, name:str)->str:
    "The RESULT line for detector `name` of `compare`'s first table."
    from cifake_fastai.evaluate import robustness_summary
    d = t[t.model == name]
    s = robustness_summary(d)
    up = d[d.perturbation.str.startswith('upscale') & ~d.perturbation.str.contains(r'\+')].same_verdict.min()
    return (f"RESULT clean_acc={s['clean_acc']:.2f} worst_acc={s['worst_acc']:.2f} worst_name={s['worst_name'].replace(' ', '_')} "
            f"mean_acc={s['mean_acc']:.2f} min_auc={s['min_auc']:.4f}" + (f" min_same_verdict_upscaled={up:.2f}" if up == up else ''))

def write_card(section:str, card:Path):
    "Put `section` in the model card `card` as its Robustness section (replacing an earlier one), just before its Limits."
    if not card.is_file(): raise SystemExit(f"{card}: no model card to write the table into (train_detector.py writes one)")
    from cifake_fastai.evaluate import with_card_parts
    two = section.count(': accuracy') > 1
    intro = ("Accuracy (%) and ROC AUC on the test images after each perturbation of the robustness table (`PERTURBATIONS`; the "
             "degradations page of the docs shows them)" + (", for this detector and an earlier one (the revision in its column's name):" if two else ":"))
    card.write_text(with_card_parts(card.read_text(), {'Robustness': f"{intro}\n\n{section}"}))

def main(data, out, model, before, max_n, name, card=False, extra=False):
    import torch
    from cifake_fastai.detector import load_detector
    if extra and card: raise SystemExit('--card writes the table itself into the model card: run it without --beyond')
    card_path = (Path(model) if model else ROOT/'cifake_fastai'/'shipped')/'MODEL_CARD.md'    # this checkout's, never an installed package's
    if card and not card_path.is_file(): raise SystemExit(f"{card_path}: no model card to write the table into (train_detector.py writes one)")
    root = cifake_root(data, out=Path(out)/'data')
    detectors = {}
    if before: detectors[f'before ({before})'] = load_detector(detector_at(before, Path(out)/'before'))
    detectors['this detector' if model is None else Path(model).name] = load_detector(model or ROOT/'cifake_fastai'/'shipped')
    print(f'data: {root.name}/test; torch {torch.__version__}, {torch.get_num_threads()} threads', flush=True)
    t, wide = compare(detectors, root/'test', max_n, beyond() if extra else None)
    t.to_csv(RESULTS/f'{name}.csv', index=False)
    with pd.option_context('display.width', 250): print(wide.round(4).to_string())
    if card:
        cmd = 'python benchmarks/robustness.py' + (f' --before {before}' if before else '') + ' --card'
        hw = torch.cuda.get_device_name() if torch.cuda.is_available() else f'{os.cpu_count()} CPU cores'
        write_card(card_section(wide, hw, cmd), card_path)
    print(summary_line(t, list(detectors)[-1]))

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--data', default=None, help='CIFAKE folder or the folder with train.tar.gz and test.tar.gz')
    p.add_argument('--model', default=None, help='detector to measure (default: the shipped one)')
    p.add_argument('--before', default=None, help='also measure the detector shipped at this git revision')
    p.add_argument('--max_n', type=int, default=None, help='at most this many test images (default: all 20,000)')
    p.add_argument('--card', action='store_true', help="write the table into the detector's MODEL_CARD.md (its Robustness section)")
    p.add_argument('--beyond', action='store_true', help='transformations the table does not name, instead of the table')
    p.add_argument('--name', default='robustness', help='results files: benchmarks/results/<name>.txt and .csv')
    a = p.parse_args()
    with tempfile.TemporaryDirectory() as out, recorded(a.name): main(a.data, out, a.model, a.before, a.max_n, a.name, a.card, a.beyond)
