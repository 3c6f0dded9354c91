#!/usr/bin/env python
"""Train the detector that ships inside the package: the CPU recipe on the full CIFAKE train split, calibrated on its own
validation split, evaluated on the full and the clean test set.

Writes `cifake_fastai/detector/`: `model.safetensors` (the weights, no pickle), `config.json` (what `load_detector` rebuilds
the network from, with the temperature and thresholds), `MODEL_CARD.md` (data, recipe, this command, SHA-256, test metrics,
calibration, limits) and `reliability.png` (reliability diagram before and after temperature scaling). The test set only
reports: the epoch is chosen on the validation split, the temperature and the equal-error-rate threshold are fitted on it.

    python benchmarks/train_detector.py            # data from $CIFAKE_PATH, else unpacked from ../shared/data/cifake
    python benchmarks/train_detector.py --overwrite   # replace the shipped detector

Last line: RESULT test_acc=<%> test_acc_clean=<%> roc_auc=<x> pr_auc=<x> ece_before=<x> ece_after=<x> temperature=<T> train_minutes=<m>
"""
import argparse, os, tempfile, time
from pathlib import Path

from provenance import recorded        # benchmarks/provenance.py: output also to benchmarks/results/
ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent/'shared'/'data'/'cifake'

LIMITS = """- Trained and tested on CIFAKE only: 32x32 CIFAR-10 photographs (REAL) against Stable Diffusion v1.4 images of the same
  ten classes (FAKE). Other generators (Midjourney, DALL-E, SDXL, GAN faces, ...) are untested; expect it to fail on them.
- Other images are centre-cropped to a square and resized to 32x32 (bilinear, antialiased) before the network sees them:
  a photo of another size, aspect ratio or processing history is out of the training distribution (`cifake predict` notes
  images far from 32x32). The detector reads high-frequency traces: on CIFAKE's test set, shrinking an image to half or
  three quarters of its size or a slight blur takes its accuracy from 97% to 62-66%, JPEG quality 50 or mild noise costs
  2-3 points (`benchmarks/results/robustness_full.csv`, shown in the evaluation docs).
- The test set's REAL images are CIFAR-10's test photographs; a few of its images also occur in train/ (the clean figures
  leave them out). Accuracy on your images can be far lower than on CIFAKE's test set.
- It is one network trained once (one seed): the figures carry about 0.1-0.2 point of seed-to-seed noise."""

def card(cfg:dict, rec:dict, cal:dict, cmd:str, hw:str, minutes:float)->str:
    from cifake_fastai.evaluate import metrics_table
    t = metrics_table(rec)[['n', 'accuracy', 'precision', 'recall', 'f1', 'roc_auc', 'pr_auc']]
    return f"""# Model card: the shipped CIFAKE detector

`load_detector()` with no argument loads this detector; `cifake predict` and `cifake serve` use it unless `--model` names another.

## Data
CIFAKE (Bird & Lotfi, 2024): 60,000 real CIFAR-10 images and 60,000 Stable Diffusion v1.4 images, 32x32 JPEGs, as
100,000 training and 20,000 test images. Trained on the whole train/ split ({cfg['n_train']:,} images for the weights,
{cfg['n_valid']:,} held out by content to choose the epoch and fit the calibration); tested on all {rec['n']:,} test/ images
and on the {rec['clean']['n']:,} clean ones (test images whose contents are neither in train/ nor repeated within test/).

## Recipe
`train_cpu_recipe` with its defaults: `cifake_resnet9(width={cfg['width']}, highpass={cfg['highpass']})` from scratch at 32 px,
one cycle of {cfg['epochs']} epochs at peak learning rate 5e-3, batch 256, label smoothing 0.1, random horizontal flips,
ImageNet normalisation; the weights of the epoch with the best validation loss. Then temperature scaling on the
validation split. Trained on {hw} in {minutes:.1f} min; the same recipe takes about 30 min on 2 CPU cores
(benchmarks/results/cpu_train.txt).

Reproduce it (writes this folder; `--overwrite` to replace it):

```sh
{cmd}
```

## Weights
`model.safetensors` ({cfg['n_params']:,} parameters), SHA-256 `{cfg['sha256']}` (also in `config.json`; `load_detector`
refuses a file that does not match it).

## Test metrics (FAKE is the positive class, threshold 0.5)
{t.to_markdown(floatfmt=('', '.0f', '.2f', '.4f', '.4f', '.4f', '.4f', '.4f'))}

Accuracy as the reference reports it: {rec['accuracy']:.2f}% ({rec['correct']:,} of {rec['n']:,}).
Confusion (all test images; rows: true {cfg['vocab']}, columns: predicted): {rec['confusion']}.

## Calibration
Temperature T = {cfg['temperature']:.4f}, fitted on the validation split: {'T < 1 sharpens the probabilities (label smoothing leaves the raw network under-confident)' if cfg['temperature'] < 1 else 'T > 1 softens the probabilities (the raw network is over-confident)'}.
Expected calibration error of P(FAKE) (15 equal-width bins):

| | validation | test |
|---|---|---|
| before (T = 1) | {cal['ece_valid_before']:.4f} | {cal['ece_test_before']:.4f} |
| after (T = {cfg['temperature']:.2f}) | {cal['ece_valid_after']:.4f} | {cal['ece_test_after']:.4f} |

![reliability diagram on the test set](reliability.png)

Verdicts: FAKE when P(FAKE) >= 0.5 (the default). The threshold at equal error rate on the validation split is
{cfg['threshold_eer']:.4f} (equal error rate {100*cal['eer_valid']:.2f}%); at that threshold the test accuracy is
{cal['test_acc_at_eer']:.2f}%.

## Limits
{LIMITS}
"""

def main(data, dest, overwrite, out, epochs=None):
    import json, torch
    from fastai.torch_core import set_seed
    from cifake_fastai.core import OutputExistsError
    from cifake_fastai.external import get_cifake
    from cifake_fastai.train import train_cpu_recipe
    from cifake_fastai.inference import save_detector, TemperatureCE, WEIGHTS
    from cifake_fastai.evaluate import evaluate, calibrate, calibration_error, eer_threshold, plot_reliability, metrics_table
    dest = Path(dest)
    if (dest/WEIGHTS).exists() and not overwrite: raise OutputExistsError(f"{dest/WEIGHTS} exists; pass --overwrite to replace it")
    root = get_cifake(data or os.environ.get('CIFAKE_PATH') or SHARED, out=Path(out)/'data', download=False)
    hw = torch.cuda.get_device_name() if torch.cuda.is_available() else f'{os.cpu_count()} CPU cores'
    set_seed(42)
    t = time.time()
    learn = train_cpu_recipe(root/'train', out=out, overwrite=True, **({'epochs': epochs} if epochs else {}))
    minutes = (time.time() - t)/60
    print(learn.history.to_string(index=False))
    vocab = list(learn.dls.vocab); pos = vocab.index('FAKE')
    vz, vt = learn.get_preds(dl=learn.dls.valid, act=lambda x: x)
    T = calibrate(learn)
    yv = (vt.numpy() == pos).astype(int)
    pv_raw, pv_cal = (torch.softmax(vz.float()/s, 1)[:, pos].numpy() for s in (1.0, T))
    thr, eer = eer_threshold(yv, pv_cal)
    learn.loss_func = TemperatureCE(1.0); raw = evaluate(learn, root/'test', bs=1024)
    learn.loss_func = TemperatureCE(T);   ev = evaluate(learn, root/'test', bs=1024)
    yt = (ev.targs == pos).astype(int)
    cal = dict(ece_valid_before=calibration_error(yv, pv_raw), ece_valid_after=calibration_error(yv, pv_cal),
               ece_test_before=calibration_error(yt, raw.probs[:, pos]), ece_test_after=calibration_error(yt, ev.probs[:, pos]),
               eer_valid=eer, test_acc_at_eer=float(100*((ev.probs[:, pos] >= thr) == yt).mean()))
    rec = ev.record
    save_detector(learn, dest, overwrite=overwrite, threshold_eer=thr, epochs=len(learn.history), n_train=len(learn.dls.train_ds),
                  n_valid=len(learn.dls.valid_ds), n_params=sum(p.numel() for p in learn.model.parameters()),
                  test=dict(accuracy=rec['accuracy'], accuracy_clean=rec['clean']['accuracy'], roc_auc=rec['roc_auc'], pr_auc=rec['pr_auc']),
                  calibration=cal)
    cfg = json.loads((dest/'config.json').read_text())
    fig = plot_reliability(yt, {'before (T = 1)': raw.probs[:, pos], f'after (T = {T:.2f})': ev.probs[:, pos]})
    fig.savefig(dest/'reliability.png', dpi=100, bbox_inches='tight')
    (dest/'MODEL_CARD.md').write_text(card(cfg, rec, cal, 'python benchmarks/train_detector.py --overwrite', hw, minutes))
    print(metrics_table(rec).round(4).to_string())
    print(f"temperature {T:.4f}; ECE valid {cal['ece_valid_before']:.4f} -> {cal['ece_valid_after']:.4f}, test {cal['ece_test_before']:.4f} -> "
          f"{cal['ece_test_after']:.4f}; EER threshold {thr:.4f} (EER {100*eer:.2f}% on valid), test accuracy there {cal['test_acc_at_eer']:.2f}%")
    print(f"weights sha256 {cfg['sha256']}; trained on {hw} in {minutes:.1f} min")
    print(f"RESULT test_acc={rec['accuracy']:.2f} test_acc_clean={rec['clean']['accuracy']:.2f} roc_auc={rec['roc_auc']:.4f} "
          f"pr_auc={rec['pr_auc']:.4f} ece_before={cal['ece_test_before']:.4f} ece_after={cal['ece_test_after']:.4f} temperature={T:.3f} "
          f"train_minutes={minutes:.1f}")

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--data', default=None, help='CIFAKE folder or the folder with train.tar.gz and test.tar.gz')
    p.add_argument('--dest', default=str(ROOT/'cifake_fastai'/'detector'), help='folder to write the detector in')
    p.add_argument('--overwrite', action='store_true', help='replace the detector there')
    p.add_argument('--epochs', type=int, default=None, help="one-cycle epochs (default: the recipe's; only to try the script out)")
    p.add_argument('--name', default='detector', help='results file: benchmarks/results/<name>.txt')
    a = p.parse_args()
    with tempfile.TemporaryDirectory() as out, recorded(a.name): main(a.data, a.dest, a.overwrite, out, a.epochs)
