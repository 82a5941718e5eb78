"""Sphinx configuration of the skxai documentation (numpydoc, autosummary, sphinx-gallery)."""

import os
import sys
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(HERE, "_ext"))

from gen_pages import write_api_page, write_benchmark_page  # noqa: E402

import skxai  # noqa: E402

project = "skxai"
author = "the skxai developers"
copyright = "2026, the skxai developers"
release = skxai.__version__
version = skxai.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.intersphinx",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "auto_examples/*.ipynb", "auto_examples/*.py", "**.md5", "**.zip"]
nitpicky = False
autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": False}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
intersphinx_mapping = {}

html_theme = "pydata_sphinx_theme"
html_title = f"skxai {release}"
html_static_path = []
html_theme_options = {
    "navigation_depth": 2,
    "show_toc_level": 2,
    "navbar_end": ["navbar-icon-links"],
}

sphinx_gallery_conf = {
    "examples_dirs": os.path.join(ROOT, "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
    "matplotlib_animations": False,
    "image_scrapers": ("matplotlib",),
    "show_memory": False,
    "plot_gallery": "True",
}

# Pages generated from the code and the benchmark results at every build.
write_api_page(os.path.join(HERE, "api.rst"))
write_benchmark_page(os.path.join(HERE, "benchmarks.rst"), os.path.join(ROOT, "benchmarks", "results"))



def _skip_member(app, what, name, obj, skip, options):
    # scikit-learn generates set_<method>_request methods whose docstrings point into its own
    # glossary, which this site does not hold.
    if name.startswith("set_") and name.endswith("_request"):
        return True
    return skip


def setup(app):
    app.connect("autodoc-skip-member", _skip_member)


# Third-party deprecation chatter is not a documentation problem.
warnings.filterwarnings("ignore", category=DeprecationWarning)
warnings.filterwarnings("ignore", category=FutureWarning)
