#!/usr/bin/env python
"""Train the detector that ships inside the package: the robust CPU recipe on the full CIFAKE train split, calibrated on its
own validation split (temperature, threshold, UNSURE band), evaluated on the full and the clean test set and on the
robustness table.

Writes `cifake_fastai/shipped/`: `model.safetensors` (the weights, no pickle), `config.json` (what `load_detector` rebuilds
the network from, with the temperature, threshold and UNSURE band), `MODEL_CARD.md` (data, recipe, this command, SHA-256,
test metrics, calibration, verdicts, limits; `benchmarks/robustness.py --card` adds the robustness table) and `reliability.png` (reliability diagram before and
after temperature scaling). The test set only reports: the epoch is chosen on the validation split, and the temperature,
the equal-error-rate threshold and the UNSURE band are fitted on it.

    python benchmarks/train_detector.py --dest runs/robust   # the robust recipe from scratch (24 epochs; data from $CIFAKE_PATH,
                                                             # else unpacked from ../shared/data/cifake)
    python benchmarks/train_detector.py --overwrite --epochs 6 --pixmix 0.5 --unsure-mix --init git:3b0c67f --lr 0.002
                                                             # the shipped detector: the one shipped at 3b0c67f, fine-tuned
                                                             # (then scripts/add_distance.py gives it its distance rule)
    python benchmarks/train_detector.py --recard --dest DIR  # only write the card's Recipe section again, from DIR's config

Last line: RESULT test_acc=<%> test_acc_clean=<%> roc_auc=<x> pr_auc=<x> ece_before=<x> ece_after=<x> temperature=<T>
unsure_share=<%> sure_acc_clean=<%> train_minutes=<m>
(then `python benchmarks/robustness.py --before <revision> --card` adds the robustness table to the card)
"""
import argparse, os, subprocess, tempfile, time
from pathlib import Path

from provenance import cifake_root, recorded        # benchmarks/provenance.py: output also to benchmarks/results/

ROOT = Path(__file__).resolve().parents[1]
BAND_ACCURACY = 0.993    # the UNSURE band's target on the 5,000 validation images: 99% on test images with ~2 standard errors to spare

LIMITS = """- Trained and tested on CIFAKE only: 32x32 CIFAR-10 photographs (REAL) against Stable Diffusion v1.4 images of the same
  ten classes (FAKE). Other generators (Midjourney, DALL-E, SDXL, GAN faces, ...) are untested; expect it to fail on them.
- Every image is centre-cropped to a square and area-averaged to 32x32 (`square_resize`, the size policy) before the
  network sees it: the detector judges a 32x32 thumbnail. A large photo keeps only what survives that shrinking, and a
  non-square one only its centre (`cifake predict` notes both).
- Trained on degraded copies (resizing, blur, JPEG and WebP, noise, crops, colour and gamma, rotation, greyscale), it keeps
  most of its accuracy under them (the table above), but every degradation costs something, and the strongest ones
  (a third of the size, blur sigma 2) cost the most; a degradation far outside those it was trained on is untested.
- Filters it never saw can move it far: a frost, fog or snow filter of a photo app can turn a generated image into a sure
  REAL verdict, and real photographs from other cameras and places can get sure FAKE verdicts. Read a verdict on an edited
  image, or on a photograph unlike CIFAR-10's, as untested.
- The test set's REAL images are CIFAR-10's test photographs; a few of its images also occur in train/ (the clean figures
  leave them out). Accuracy on your images can be far lower than on CIFAKE's test set.
- It is one network trained once (one seed): the figures carry about 0.1-0.2 point of seed-to-seed noise."""

def augmix_text(cfg:dict)->str:
    a = cfg.get('augmix') or 0
    return (f"`RandomAugMix(p={a})` ({100*a:.0f}% of the training images mixed with AugMix chains of geometric and histogram "
            "operations, none of CIFAR-10-C's corruptions), " if a else '')

FLOAT_NOTE = """These figures are the float network's (PyTorch and `model.onnx` give the same verdicts). Prediction and `evaluate` run the int8 copy
by default (`engine='auto'`; `engine='onnx'` gives these figures); `benchmarks/predict_throughput.py` measures how far its accuracy is from them
(`benchmarks/results/predict_throughput.txt`, `int8_acc_delta`)."""

def mix_text(cfg:dict)->str:
    a, u = cfg.get('pixmix') or 0, cfg.get('unsure_mix')
    return (f"`{'PixMixUnsure' if u else 'RandomPixMix'}(p={a})` ({100*a:.0f}% of the training images mixed with fractal pictures drawn by "
            "`fractal_pictures`, PixMix's mixing operations, none of CIFAR-10-C's corruptions"
            + ("; a mixed image's target moves toward 50/50 by how much of it the pictures cover" if u else '') + "), " if a else '')

def consistency_text(cfg:dict)->str:
    c, u = cfg.get('consistency') or 0, cfg.get('unsure_mix')
    return (f"AugMix's Jensen-Shannon consistency (`ConsistentViews`, weight {c:g}: the {'degradations' if u and not cfg.get('augmix') else 'mixes and degradations'} below make two "
            "views of each image, and the loss adds how far the three predictions disagree" + ("; the mixed images are left out of it" if u else '')
            + "), " if c else '')

def recipe(cfg:dict, cmd:str, hw:str, minutes:float)->str:
    "The text of the card's Recipe section: what trained the weights, and the command that does it again."
    lr = cfg.get('lr') or 5e-3
    start = (f"the detector shipped before (SHA-256 `{cfg['init_sha256']}`, 24 epochs of the same recipe from scratch, without mixing) "
             f"fine-tuned:" if cfg.get('init_sha256') else 'from scratch at 32 px,')
    return f"""`train_cpu_recipe(robust=True)`: `cifake_resnet9(width={cfg['width']}, highpass={cfg['highpass']}{', standardize=' + repr(cfg['standardize']) if cfg.get('standardize') else ''})`, {start} one cycle of
{cfg['epochs']} epochs at peak learning rate {lr:g}, batch 256, label smoothing 0.1, random horizontal flips, ImageNet
normalisation, {augmix_text(cfg)}{mix_text(cfg)}{consistency_text(cfg)}and `RandomDegrade(p={cfg['degrade_p']}, strength={cfg['degrade_strength']}{', families=all but ' + ', '.join(cfg['leave_out']) if cfg.get('leave_out') else ''})`: {100*cfg['degrade_p']:.0f}% of the training images go through a
random chain of one to three degradations (shrinking and enlarging back with Pillow's and OpenCV's filters, Gaussian,
box and median blur, JPEG and WebP re-encoding, Gaussian noise, crops, enlarged copies brought back by the size
policy, brightness, contrast, saturation and gamma, sharpening, rotations and quarter turns, frames, greyscale); the weights of the epoch
with the best validation loss (on undegraded images). Then temperature scaling on the validation split. Trained on {hw}
in {minutes:.1f} min.

Reproduce it (writes this folder; `--overwrite` to replace it):

```sh
{cmd}
```
"""

def recard(dest:Path):
    "Write the Recipe section of the card in `dest` again from its config (for a detector trained before the section said all it says now)."
    import json, re
    from cifake_fastai.evaluate import with_card_parts
    md, cfg = (dest/'MODEL_CARD.md').read_text(), json.loads((dest/'config.json').read_text())
    if not (m := re.search(r'(?ms)^## Recipe\n(.*?)(?=^## |\Z)', md)): raise SystemExit(f"{dest/'MODEL_CARD.md'}: no Recipe section to write again")
    body = m.group(1)
    hw, minutes = re.search(r'Trained on (.+?)\s+in ([0-9.]+) min', body).groups()
    cmd = re.search(r'```sh\n(.+?)\n```', body, re.S).group(1)
    if FLOAT_NOTE not in md:                             # cards written before the note was part of them
        md = re.sub(r'(Accuracy as the reference reports it: [^\n]*\n)', lambda m: m.group(1) + FLOAT_NOTE + '\n', md, count=1)
    (dest/'MODEL_CARD.md').write_text(with_card_parts(md, {'Recipe': recipe(cfg, cmd, hw, float(minutes))}))

def card(cfg:dict, rec:dict, cal:dict, cmd:str, hw:str, minutes:float)->str:
    from cifake_fastai.evaluate import metrics_table
    t = metrics_table(rec)[['n', 'accuracy', 'precision', 'recall', 'f1', 'roc_auc', 'pr_auc']]
    lo, hi = cfg['band']
    return f"""# Model card: the shipped CIFAKE detector

`load_detector()` with no argument loads this detector; `cifake predict` and `cifake serve` use it unless `--model` names another.

## Data
CIFAKE (Bird & Lotfi, 2024): 60,000 real CIFAR-10 images and 60,000 Stable Diffusion v1.4 images, 32x32 JPEGs, as
100,000 training and 20,000 test images. Trained on the whole train/ split ({cfg['n_train']:,} images for the weights,
{cfg['n_valid']:,} held out by content to choose the epoch and fit the calibration, threshold and UNSURE band); tested on all
{rec['n']:,} test/ images and on the {rec['clean']['n']:,} clean ones (test images whose contents are neither in train/ nor
repeated within test/).

## Recipe
{recipe(cfg, cmd, hw, minutes)}
## Weights
`model.safetensors` ({cfg['n_params']:,} parameters), SHA-256 `{cfg['sha256']}` (also in `config.json`; `load_detector`
refuses a file that does not match it).
`model.onnx`, the same network for ONNX Runtime (decoded uint8 images in, probabilities out; `predict_images` runs it), SHA-256
`{cfg.get('onnx_sha256')}`.

## Test metrics (FAKE is the positive class; verdicts at P(FAKE) 0.5, as `evaluate` counts them)
{t.to_markdown(floatfmt=('', '.0f', '.2f', '.4f', '.4f', '.4f', '.4f', '.4f'))}

Accuracy as the reference reports it: {rec['accuracy']:.2f}% ({rec['correct']:,} of {rec['n']:,}).
{FLOAT_NOTE}
Confusion (all test images; rows: true {cfg['vocab']}, columns: predicted): {rec['confusion']}.

## Calibration
Temperature T = {cfg['temperature']:.4f}, fitted on the validation split: {'T < 1 sharpens the probabilities (label smoothing leaves the raw network under-confident)' if cfg['temperature'] < 1 else 'T > 1 softens the probabilities (the raw network is over-confident)'}.
Expected calibration error of P(FAKE) (15 equal-width bins):

| | validation | test |
|---|---|---|
| before (T = 1) | {cal['ece_valid_before']:.4f} | {cal['ece_test_before']:.4f} |
| after (T = {cfg['temperature']:.2f}) | {cal['ece_valid_after']:.4f} | {cal['ece_test_after']:.4f} |

![reliability diagram on the test set](reliability.png)

## Verdicts
The detector's threshold is the one at equal error rate on the validation split, P(FAKE) >= {cfg['threshold']:.4f} (equal error
rate {100*cal['eer_valid']:.2f}%); the test accuracy there is {cal['test_acc_at_eer']:.2f}%. `cifake predict` and `predict_images` use it
unless given another.

By default (`cifake predict`, `predict_images` and the upload page alike; `--no-unsure` or a threshold of one's own turn it off), the detector answers **UNSURE** when
{lo:.4f} <= P(FAKE) < {hi:.4f}: the band chosen on the validation split (`choose_unsure_band`) for {100*BAND_ACCURACY:.1f}% right
verdicts outside it there. On the test set it leaves {cal['unsure_share']:.2f}% of all images ({cal['unsure_share_clean']:.2f}% of the clean ones)
unsure, and the other verdicts are {cal['sure_acc']:.2f}% right ({cal['sure_acc_clean']:.2f}% on the clean test images).

## Robustness
`python benchmarks/robustness.py --before <revision> --card` writes the robustness table here.

## Limits
{LIMITS}
"""

def main(data, dest, overwrite, out, epochs=None, width=16, p=0.5, strength=1.0, augmix=0.0, pixmix=0.0, init=None, lr=None, unsure_mix=False,
         consistency=0.0, standardize=False, leave_out=None):
    import json, torch, numpy as np
    from fastai.torch_core import set_seed
    from cifake_fastai.core import OutputExistsError
    from cifake_fastai.train import train_cpu_recipe
    from cifake_fastai.detector import Detector, WEIGHTS, load_detector, file_sha256
    from cifake_fastai.models import TemperatureCE
    from cifake_fastai.evaluate import (evaluate, calibrate, calibration_error, eer_threshold, choose_unsure_band, plot_reliability,
                                        metrics_table)
    dest = Path(dest)
    if (dest/WEIGHTS).exists() and not overwrite: raise OutputExistsError(f"{dest/WEIGHTS} exists; pass --overwrite to replace it")
    root = cifake_root(data, out=Path(out)/'data')
    hw = torch.cuda.get_device_name() if torch.cuda.is_available() else f'{os.cpu_count()} CPU cores'
    set_seed(42)
    t = time.time()
    init_arg = init
    if init and init.startswith('git:'):                 # the weights shipped at a revision: reproducible from the repository alone
        rev, init = init[4:], Path(out)/'init.safetensors'
        init.write_bytes(subprocess.run(['git', '-C', str(ROOT), 'show', f'{rev}:cifake_fastai/shipped/model.safetensors'],
                                        capture_output=True, check=True).stdout)
    init_sha = file_sha256(init) if init and Path(init).is_file() else None      # a missing file: train_cpu_recipe says so
    learn = train_cpu_recipe(root/'train', out=out, overwrite=True, robust=True, width=width, p=p, strength=strength, augmix=augmix,
                             pixmix=pixmix, unsure_mix=unsure_mix, consistency=consistency, standardize=standardize, leave_out=leave_out, init=init, **({'epochs': epochs} if epochs else {}), **({'lr': lr} if lr else {}))
    minutes = (time.time() - t)/60
    print(learn.history.to_string(index=False), flush=True)
    vocab = list(learn.dls.vocab); pos = vocab.index('FAKE')
    vz, vt = learn.get_preds(dl=learn.dls.valid, act=lambda x: x)
    T = calibrate(learn)
    yv = (vt.numpy() == pos).astype(int)
    pv_raw, pv_cal = (torch.softmax(vz.float()/s, 1)[:, pos].numpy() for s in (1.0, T))
    thr, eer = eer_threshold(yv, pv_cal)
    band = choose_unsure_band(yv, pv_cal, thr, accuracy=BAND_ACCURACY)
    learn.loss_func = TemperatureCE(1.0); raw = evaluate(learn, root/'test', bs=1024)
    learn.loss_func = TemperatureCE(T);   ev = evaluate(learn, root/'test', bs=1024)
    yt, pt = (ev.targs == pos).astype(int), ev.probs[:, pos]
    det, truth = Detector.from_learner(learn, threshold=thr, band=band), np.array(vocab, dtype=object)[ev.targs]
    said = det.verdicts(ev.probs)                                    # the detector's rule: UNSURE inside the band
    sure, right = said != 'UNSURE', said == truth
    cal = dict(ece_valid_before=calibration_error(yv, pv_raw), ece_valid_after=calibration_error(yv, pv_cal),
               ece_test_before=calibration_error(yt, raw.probs[:, pos]), ece_test_after=calibration_error(yt, pt),
               eer_valid=eer, test_acc_at_eer=float(100*(det.verdicts(ev.probs, unsure=False) == truth).mean()),
               unsure_share=float(100*(1 - sure.mean())), unsure_share_clean=float(100*(1 - sure[ev.clean].mean())),
               sure_acc=float(100*right[sure].mean()), sure_acc_clean=float(100*right[sure & ev.clean].mean()))
    rec = ev.record
    det.save(dest, overwrite=overwrite, unsure_accuracy=BAND_ACCURACY, epochs=len(learn.history), n_train=len(learn.dls.train_ds),
                  n_valid=len(learn.dls.valid_ds), n_params=sum(w.numel() for w in learn.model.parameters()),
                  degrade_p=p, degrade_strength=strength, augmix=augmix, pixmix=pixmix, unsure_mix=unsure_mix, consistency=consistency, leave_out=leave_out, init=init_arg, init_sha256=init_sha, lr=lr,
                  test=dict(accuracy=rec['accuracy'], accuracy_clean=rec['clean']['accuracy'], roc_auc=rec['roc_auc'], pr_auc=rec['pr_auc']),
                  calibration=cal)
    cfg = json.loads((dest/'config.json').read_text())
    fig = plot_reliability(yt, {'before (T = 1)': raw.probs[:, pos], f'after (T = {T:.2f})': pt})
    fig.savefig(dest/'reliability.png', dpi=100, bbox_inches='tight')
    cmd = 'python benchmarks/train_detector.py --overwrite' + (f' --epochs {epochs}' if epochs else '') + \
          (f' --width {width}' if width != 16 else '') + (f' --p {p}' if p != 0.5 else '') + (f' --strength {strength}' if strength != 1 else '') + (f' --augmix {augmix}' if augmix else '') + \
          (f' --pixmix {pixmix}' if pixmix else '') + (' --unsure-mix' if unsure_mix else '') + (f' --consistency {consistency:g}' if consistency else '') + ((' --standardize' + (' both' if standardize == 'both' else '')) if standardize else '') + (f" --leave-out {' '.join(leave_out)}" if leave_out else '') + (f' --init {init_arg}' if init else '') + (f' --lr {lr}' if lr else '')
    from cifake_fastai.evaluate import card_parts, with_card_parts
    (dest/'MODEL_CARD.md').write_text(with_card_parts(card(cfg, rec, cal, cmd, hw, minutes),       # the parts every detector's card has
                                                      card_parts(load_detector(dest), ev, 'detector', 'Model card: the shipped CIFAKE detector')))
    print(metrics_table(rec).round(4).to_string())
    print(f"temperature {T:.4f}; ECE valid {cal['ece_valid_before']:.4f} -> {cal['ece_valid_after']:.4f}, test {cal['ece_test_before']:.4f} -> "
          f"{cal['ece_test_after']:.4f}; EER threshold {thr:.4f} (EER {100*eer:.2f}% on valid), test accuracy there {cal['test_acc_at_eer']:.2f}%")
    print(f"UNSURE band [{band[0]:.4f}, {band[1]:.4f}): {cal['unsure_share']:.2f}% of test images unsure ({cal['unsure_share_clean']:.2f}% of clean), "
          f"the rest {cal['sure_acc']:.2f}% right ({cal['sure_acc_clean']:.2f}% clean)")
    print(f"weights sha256 {cfg['sha256']}; trained on {hw} in {minutes:.1f} min")
    print(f"RESULT test_acc={rec['accuracy']:.2f} test_acc_clean={rec['clean']['accuracy']:.2f} roc_auc={rec['roc_auc']:.4f} "
          f"pr_auc={rec['pr_auc']:.4f} ece_before={cal['ece_test_before']:.4f} ece_after={cal['ece_test_after']:.4f} temperature={T:.3f} "
          f"unsure_share={cal['unsure_share']:.2f} sure_acc_clean={cal['sure_acc_clean']:.2f} train_minutes={minutes:.1f}")

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--data', default=None, help='CIFAKE folder or the folder with train.tar.gz and test.tar.gz')
    p.add_argument('--dest', default=str(ROOT/'cifake_fastai'/'shipped'), help='folder to write the detector in')
    p.add_argument('--overwrite', action='store_true', help='replace the detector there')
    p.add_argument('--epochs', type=int, default=None, help="one-cycle epochs (default: the robust recipe's)")
    p.add_argument('--width', type=int, default=16, help='width of cifake_resnet9')
    p.add_argument('--p', type=float, default=0.5, help='share of training images degraded')
    p.add_argument('--strength', type=float, default=1.0, help='strength of the degradations (0-1)')
    p.add_argument('--augmix', type=float, default=0.0, help='share of training images also mixed by AugMix (RandomAugMix)')
    p.add_argument('--pixmix', type=float, default=0.0, help='share of training images also mixed with fractal pictures (RandomPixMix)')
    p.add_argument('--unsure-mix', action='store_true', help="with --pixmix: mixed images' targets move toward 50/50 by how much the mix covers (PixMixUnsure)")
    p.add_argument('--consistency', type=float, default=0.0, help="weight of AugMix's Jensen-Shannon consistency between each image and two views of it made by the mixes and degradations (ConsistentViews; AugMix used 12); with --unsure-mix, by the degradations alone, the mixed images left out")
    p.add_argument('--standardize', nargs='?', const=True, default=False, choices=['both'], metavar='both',
                   help="the network reads each image standardised (StandardizedConv: its own mean and standard deviation set aside); --standardize both: the image and its standardised copy")
    p.add_argument('--leave-out', nargs='+', default=None, metavar='FAMILY',
                   help="degradation families (names in DEGRADATIONS, e.g. noise) not trained on: what a family never seen costs")
    p.add_argument('--init', default=None, help="start from these weights instead of from scratch: a detector's model.safetensors, or git:REV for the detector shipped at revision REV")
    p.add_argument('--lr', type=float, default=None, help="peak learning rate (default: the recipe's)")
    p.add_argument('--name', default='detector', help='results file: benchmarks/results/<name>.txt')
    p.add_argument('--recard', action='store_true', help="only write the Recipe section of the card in --dest again, from its config")
    a = p.parse_args()
    if a.recard: recard(Path(a.dest)); raise SystemExit
    with tempfile.TemporaryDirectory() as out, recorded(a.name): main(a.data, a.dest, a.overwrite, out, a.epochs, a.width, a.p, a.strength, a.augmix, a.pixmix, a.init, a.lr, a.unsure_mix, a.consistency, a.standardize, a.leave_out)
