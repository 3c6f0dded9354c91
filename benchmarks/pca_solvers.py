#!/usr/bin/env python
"""The baseline's PCA against scikit-learn's: `fit_pca` (a float32 covariance accumulated from the uint8 image cache a
chunk at a time, then `eigsh`) and `PCA(svd_solver='covariance_eigh')` (scikit-learn 1.5+, the same method on a float
copy of the pixels), each fitting 100 components of the 100,000 CIFAKE training images (pixels / 255) in its own
subprocess, which reports its wall time (the fit alone) and its peak resident memory (ru_maxrss, imports and the memory-
mapped cache included). Both projections of the first 2,000 test images are compared.

    python benchmarks/pca_solvers.py          # data from $CIFAKE_PATH, else unpacked from ../shared/data/cifake

Last line: RESULT ours_s=<s> ours_gib=<GiB> sklearn_s=<s> sklearn_gib=<GiB> memory_ratio=<sklearn/ours> max_proj_diff=<x>
"""
import json, resource, subprocess, sys, time

from provenance import cifake_root, recorded        # benchmarks/provenance.py: output also to benchmarks/results/

def child(impl:str, out:str):
    import numpy as np
    from cifake_fastai.baseline import load_pixels, fit_pca, pca_transform
    root = cifake_root()
    X, _, _ = load_pixels(root/'train')
    Xt = np.asarray(load_pixels(root/'test')[0][:2000])
    t = time.perf_counter()
    if impl == 'ours': pca = fit_pca(X, 100, scale=1/255)
    else:
        from sklearn.decomposition import PCA
        pca = PCA(100, svd_solver='covariance_eigh').fit(np.asarray(X, dtype=np.float32)/255)
    secs = time.perf_counter() - t
    np.save(out, pca_transform(pca, Xt, scale=1/255))
    print(json.dumps(dict(secs=secs, gib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/2**20, n=len(X))))

def main():
    import os, tempfile, numpy as np
    res = {}
    with tempfile.TemporaryDirectory() as d:
        for impl in ('ours', 'sklearn'):
            out = os.path.join(d, f'{impl}.npy')
            r = subprocess.run([sys.executable, __file__, '--child', impl, out], capture_output=True, text=True)
            if r.returncode: sys.exit(r.stderr[-3000:])
            res[impl] = json.loads(r.stdout.strip().splitlines()[-1]) | dict(z=np.load(out))
            print(f"{impl:8s} {res[impl]['n']} images: fit {res[impl]['secs']:.1f} s, peak memory {res[impl]['gib']:.2f} GiB", flush=True)
    za, zb = res['ours']['z'], res['sklearn']['z']
    diff = float(np.abs(np.abs(za) - np.abs(zb)).max())       # a component's sign is arbitrary
    print(f"largest difference of the projections (absolute values, first 2,000 test images): {diff:.2e} (scale of the projections: {np.abs(zb).max():.1f})")
    o, s = res['ours'], res['sklearn']
    print(f"RESULT ours_s={o['secs']:.1f} ours_gib={o['gib']:.2f} sklearn_s={s['secs']:.1f} sklearn_gib={s['gib']:.2f} "
          f"memory_ratio={s['gib']/o['gib']:.1f} max_proj_diff={diff:.1e}")

if __name__ == '__main__':
    if sys.argv[1:2] == ['--child']: child(*sys.argv[2:4])
    else:
        with recorded('pca_solvers'): main()
