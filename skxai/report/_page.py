"""The HTML page of a report: one self-contained file (inline CSS, images as data URIs, no script)."""

from __future__ import annotations

import base64
import html
import re

from skxai.plot.rendering import STYLE as TEXT_STYLE

CSS = """
body{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:0;color:#222;background:#fafafa}
header{background:#263238;color:#fff;padding:1em 2em}
header h1{margin:0 0 .2em 0;font-size:1.6em}
header p{margin:0;color:#cfd8dc}
main{padding:1em 2em;max-width:1200px}
nav ul{columns:2;font-size:95%}
section.explainer{background:#fff;border:1px solid #e0e0e0;border-radius:6px;padding:1em 1.5em;margin:1.2em 0}
h2{border-bottom:2px solid #263238;padding-bottom:.2em}
h3{margin-top:1.4em;color:#37474f}
table.kv,table.metrics{border-collapse:collapse;font-size:90%;margin:.5em 0}
table.kv td,table.kv th,table.metrics td,table.metrics th{border:1px solid #ddd;padding:3px 8px;
  text-align:left;vertical-align:top}
table.kv th,table.metrics th{background:#eceff1}
code,pre{font-family:Menlo,Consolas,monospace;font-size:88%}
pre{background:#f5f5f5;padding:.6em;overflow-x:auto}
figure{display:inline-block;margin:.5em 1em .5em 0;vertical-align:top}
figure img{max-width:100%;border:1px solid #eee}
figcaption{font-size:85%;color:#555;max-width:38em}
.note{background:#fff8e1;border-left:4px solid #ffb300;padding:.4em .8em;margin:.5em 0;font-size:92%}
.error{background:#ffebee;border-left:4px solid #e53935;padding:.4em .8em;margin:.5em 0;font-size:92%}
.ok{color:#2e7d32}
"""

# The page skeleton, rendered by Jinja2 with autoescape: every value is escaped unless it is
# HTML already built (and escaped) by the sections, which is passed as ``Markup``.
_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<style>{{ css }}</style>
</head>
<body>
<header><h1>{{ title }}</h1><p>{{ subtitle }}</p></header>
<main>
{{ intro }}
{% if sections|length > 1 %}<nav><h2>Contents</h2><ul>
{%- for sid, head, _ in sections %}<li><a href="#{{ sid }}">{{ head }}</a></li>{% endfor -%}
</ul></nav>{% endif %}
{% for sid, head, content in sections -%}
<section class="explainer" id="{{ sid }}"><h2>{{ head }}</h2>{{ content }}</section>
{% endfor -%}
</main>
</body>
</html>
"""


def esc(value):
    """HTML-escaped text of any value."""
    return html.escape(str(value))


def slug(text):
    """An id/file-name friendly form of ``text``."""
    s = re.sub(r"[^A-Za-z0-9]+", "-", str(text)).strip("-").lower()
    return s or "section"


def png_figure(png, caption, alt=None):
    """A ``<figure>`` holding ``png`` bytes as a data URI."""
    data = base64.b64encode(png).decode("ascii")
    return (
        f'<figure><img src="data:image/png;base64,{data}" alt="{esc(alt or caption)}">'
        f"<figcaption>{esc(caption)}</figcaption></figure>"
    )


def kv_table(rows, header=None):
    """Two-column table of (key, value-HTML) pairs; values are inserted as given."""
    head = ""
    if header:
        head = "<tr>" + "".join(f"<th>{esc(h)}</th>" for h in header) + "</tr>"
    body = "".join(f"<tr><th>{esc(k)}</th><td>{v}</td></tr>" for k, v in rows)
    return f'<table class="kv">{head}{body}</table>'


def write_page(path, title, sections, *, subtitle="", intro=""):
    """Write a self-contained HTML page in the reports' style (no scripts, no network).

    Parameters
    ----------
    path : str or path-like
        File written (UTF-8).
    title : str
        Page title and heading (escaped here).
    sections : list of (str, str, str)
        ``(id, heading, html)`` per section; ``html`` is inserted as it is, so escape any text
        in it (``html.escape``).
    subtitle : str, default=""
        Line under the title (escaped here).
    intro : str, default=""
        HTML before the first section, inserted as it is.

    Returns
    -------
    str
        ``path``.

    Examples
    --------
    >>> import os, tempfile
    >>> from skxai.report import write_page
    >>> path = os.path.join(tempfile.mkdtemp(), "index.html")
    >>> _ = write_page(path, "Results", [("runs", "Runs", "<p>3 runs</p>")])
    >>> with open(path, encoding="utf-8") as f:
    ...     "<h2" in f.read()
    True
    """
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(page(title, subtitle, intro, sections))
    return path


def page(title, subtitle, intro, sections):
    """The whole document; ``sections`` are (id, heading, html) triples (``html`` already escaped)."""
    from jinja2 import Environment
    from markupsafe import Markup

    template = Environment(autoescape=True).from_string(_PAGE)
    return template.render(
        title=title,
        subtitle=subtitle,
        css=Markup(CSS + TEXT_STYLE),
        intro=Markup(intro),
        sections=[(sid, head, Markup(content)) for sid, head, content in sections],
    )
