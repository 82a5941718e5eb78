"""Open a report in headless Chromium and read back what the browser saw (used by the tests and the demo).

The page is copied with a small probe added: it records script errors, console errors and
warnings, failed resource loads and every image's ``naturalWidth``, and writes them into the
DOM, which ``--dump-dom`` returns. Chromium's own console log (``--enable-logging=stderr``)
is read as well. Nothing of the probe stays in the report.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import tempfile

_HEAD_PROBE = """<script>
window.__skxai={errors:[],console:[]};
window.addEventListener('error',function(e){
  var t=e.target||{};window.__skxai.errors.push(String(e.message||t.src||t.href||'resource error'));},true);
['error','warn'].forEach(function(k){var o=console[k];console[k]=function(){
  window.__skxai.console.push(k+': '+Array.prototype.join.call(arguments,' '));o.apply(console,arguments);};});
</script>"""

_TAIL_PROBE = """<script>
window.addEventListener('load',function(){
  var imgs=[].map.call(document.images,function(i){return {w:i.naturalWidth,h:i.naturalHeight,
    complete:i.complete,alt:i.alt};});
  var words=[].map.call(document.querySelectorAll('.skxai-w'),function(s){return s.textContent;});
  var anchors=[].map.call(document.querySelectorAll('.skxai-anchor'),function(s){return s.textContent;});
  var overflow=[];
  [].forEach.call(document.querySelectorAll('main section, main nav, main > p'),function(box){
    var r=box.getBoundingClientRect();
    [].forEach.call(box.querySelectorAll('figure, img, table, figcaption, .skxai-doc, pre, p, .note, .error'),
      function(el){var e=el.getBoundingClientRect();
        if(e.right>r.right+1||e.left<r.left-1||el.scrollWidth>el.clientWidth+1&&el.tagName!=='PRE'){
          overflow.push(el.tagName.toLowerCase()+': '+(el.textContent||el.alt||'').slice(0,80));}});});
  if(document.documentElement.scrollWidth>window.innerWidth+1){overflow.push('page wider than the window');}
  var figures=[].map.call(document.querySelectorAll('figure'),function(f){
    var c=f.querySelector('figcaption');return c?c.textContent:'';});
  var p=document.createElement('pre');p.id='skxai-probe';
  p.textContent=JSON.stringify({images:imgs,errors:window.__skxai.errors,console:window.__skxai.console,
    highlighted:words,anchors:anchors,title:document.title,overflow:overflow,captions:figures,
    text:document.body.innerText});
  document.body.appendChild(p);});
</script>"""

_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium():
    """Path of a Chromium (or Chrome) executable, or None."""
    for name in ("/usr/bin/chromium",) + _CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


def screenshot(path, png, *, chromium=None, width=1280, height=3000, timeout=120):
    """Save a PNG screenshot of the HTML file ``path`` (the top ``height`` pixels) with headless Chromium."""
    chromium = chromium or find_chromium()
    if chromium is None:
        raise FileNotFoundError("No Chromium executable found (install Debian's 'chromium').")
    with tempfile.TemporaryDirectory(prefix="skxai-shot-") as tmp:
        cmd = [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
            f"--user-data-dir={os.path.join(tmp, 'profile')}",
            f"--window-size={width},{height}",
            f"--screenshot={os.path.abspath(png)}",
            "file://" + os.path.abspath(path),
        ]
        subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
    return png


def inspect_in_browser(path, *, chromium=None, timeout=60):
    """Load the HTML file ``path`` in headless Chromium and report what happened.

    Parameters
    ----------
    path : str or path-like
        A complete HTML page (with ``<head>`` and ``</body>``).
    chromium : str, default=None
        The Chromium executable (None: found on the PATH; ``FileNotFoundError`` without one).
    timeout : float, default=60
        Seconds before Chromium is stopped.

    Returns
    -------
    dict
        ``images`` (naturalWidth/naturalHeight per ``<img>``), ``errors`` (script and resource
        errors), ``console`` (console errors and warnings), ``chromium_console`` (Chromium's
        own console log lines), ``highlighted`` and ``anchors`` (texts of the highlighted and
        anchor words), ``title``, ``overflow`` (elements wider than their section, or a page
        wider than a 1280-pixel window), ``captions`` (the text of every figure's caption) and
        ``text`` (what a reader sees, ``innerText``).
    """
    chromium = chromium or find_chromium()
    if chromium is None:
        raise FileNotFoundError("No Chromium executable found (install Debian's 'chromium').")
    with open(path, encoding="utf-8") as fh:
        page = fh.read()
    if "<head>" not in page or "</body>" not in page:
        raise ValueError(f"{path} is not a complete HTML page (no <head> or </body>).")
    probed = page.replace("<head>", "<head>" + _HEAD_PROBE, 1)
    at = probed.rfind("</body>")
    probed = probed[:at] + _TAIL_PROBE + probed[at:]
    with tempfile.TemporaryDirectory(prefix="skxai-browser-") as tmp:
        page_path = os.path.join(tmp, "page.html")
        with open(page_path, "w", encoding="utf-8") as fh:
            fh.write(probed)
        cmd = [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            f"--user-data-dir={os.path.join(tmp, 'profile')}",
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=10000",
            "--window-size=1280,1000",
            "--dump-dom",
            "file://" + page_path,
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    match = re.search(r'<pre id="skxai-probe">(.*?)</pre>', proc.stdout, flags=re.S)
    if match is None:
        raise RuntimeError(
            f"Chromium did not report on the page (exit code {proc.returncode}); stderr tail: {proc.stderr[-2000:]}"
        )
    result = json.loads(html.unescape(match.group(1)))
    result["chromium_console"] = [line for line in proc.stderr.splitlines() if ":CONSOLE" in line]
    return result
