"""The font guard: refuse to render a PDF whose characters no installed font can draw.

WeasyPrint asks fontconfig for a font per character; where none has the glyph it draws an
empty box and carries on, so a machine without a CJK font writes a Chinese report of boxes
(and an English one whose Chinese vendor names are boxes) and exits 0. `missing_font` asks
fontconfig first (`fc-list :lang=zh`) and returns what to install, in both languages; the
command line exits 2 with it and the web shows it as an error page.

A font that was found is remembered for the life of the process; a missing one is looked
for again on each call (so installing the package mends a running server).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import re
import shutil
import subprocess

from selector.scoring.model import Text

REPORT_FONT = "Noto Sans CJK SC"  # what static/report.css asks for first
DEBIAN_PACKAGE = "fonts-noto-cjk"

# Han ideographs, CJK punctuation, kana, Hangul and full-width forms: what a Latin font lacks.
_CJK = re.compile(
    "[\u2e80-\u2fdf\u3000-\u30ff\u3100-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uac00-\ud7af\uf900-\ufaff\uff00-\uffef\U00020000-\U0003134f]"
)

# The heading of the page or message that carries a MissingFont text.
CANNOT_RENDER = Text(zh="无法生成 PDF 报告", en="The PDF report cannot be made")

_FOUND: set[tuple[str, str]] = set()


class MissingFont(Exception):
    """No installed font can draw the report; `text` says what to install, in zh and en."""

    def __init__(self, text: Text) -> None:
        super().__init__(text.en)
        self.text = text


def needs_cjk(lang: str, text: str = "") -> bool:
    """Whether a report in `lang` whose content is `text` needs a font with CJK glyphs."""
    return lang == "zh" or _CJK.search(text) is not None


def missing_font(lang: str, text: str = "") -> Text | None:
    """What to install when no font covers a report in `lang` showing `text`, else None."""
    script = "zh" if needs_cjk(lang, text) else "en"
    if _has_font(script):
        return None
    if script == "zh":
        return Text(
            zh=f"找不到含中文字形的字体：PDF 中的汉字会显示为空白方框，因此未生成报告。"
            f"请安装 {REPORT_FONT} 字体（Debian 软件包 {DEBIAN_PACKAGE}）："
            f"apt-get install {DEBIAN_PACKAGE}",
            en=f"No font with Chinese glyphs is installed: Chinese text in the PDF would be "
            f"empty boxes, so no report was written. Install the {REPORT_FONT} font "
            f"(Debian package {DEBIAN_PACKAGE}): apt-get install {DEBIAN_PACKAGE}",
        )
    return Text(
        zh=f"系统中没有任何可用字体，因此未生成报告。请安装 {REPORT_FONT} 字体"
        f"（Debian 软件包 {DEBIAN_PACKAGE}）：apt-get install {DEBIAN_PACKAGE}",
        en=f"No font is installed at all, so no report was written. Install the "
        f"{REPORT_FONT} font (Debian package {DEBIAN_PACKAGE}): "
        f"apt-get install {DEBIAN_PACKAGE}",
    )


def require_font(lang: str, text: str = "") -> None:
    """Raise MissingFont when `missing_font` finds no font for the report."""
    problem = missing_font(lang, text)
    if problem is not None:
        raise MissingFont(problem)


def _has_font(script: str) -> bool:
    """Whether fontconfig lists a font covering `script` ("zh" or "en")."""
    key = (os.environ.get("FONTCONFIG_FILE", ""), script)
    if key in _FOUND:
        return True
    fc_list = shutil.which("fc-list")
    if fc_list is None:  # fontconfig's tools missing: ask WeasyPrint's own fontconfig
        found = _has_font_by_library(script)
    else:
        try:
            listed = subprocess.run(
                [fc_list, f":lang={script}", "family"],
                capture_output=True, text=True, timeout=20, check=False,
            ).stdout
        except (OSError, subprocess.TimeoutExpired):
            listed = ""
        found = bool(listed.strip())
    if found:
        _FOUND.add(key)
    return found


def _has_font_by_library(script: str) -> bool:
    """fontconfig through the library WeasyPrint loads (where `fc-list` is not installed)."""
    try:
        name = ctypes.util.find_library("fontconfig") or "libfontconfig.so.1"
        fc = ctypes.CDLL(name)
    except OSError:
        return False
    fc.FcNameParse.restype = ctypes.c_void_p
    fc.FcObjectSetBuild.restype = ctypes.c_void_p
    fc.FcFontList.restype = ctypes.POINTER(ctypes.c_int)  # FcFontSet*: its first int is nfont
    fc.FcFontList.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p]
    pattern = fc.FcNameParse(f":lang={script}".encode())
    objects = fc.FcObjectSetBuild(b"family", None)
    fonts = fc.FcFontList(None, pattern, objects)
    count = fonts[0] if fonts else 0
    fc.FcFontSetDestroy(fonts)
    fc.FcObjectSetDestroy(ctypes.c_void_p(objects))
    fc.FcPatternDestroy(ctypes.c_void_p(pattern))
    return count > 0
