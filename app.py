# The upload page as a Hugging Face Space (Gradio SDK): a Space that installs `cifake_fastai[app]` runs this file.
# Locally, `cifake serve` starts the same page on 127.0.0.1.
from cifake_fastai.app import detector_app, launch_options

demo = detector_app()

if __name__ == '__main__':
    demo.launch(**launch_options())
