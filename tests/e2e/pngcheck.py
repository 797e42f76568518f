#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Checks what the backend's PNG files show (scripts/e2e.sh).

Usage: pngcheck.py CHECK FILE [ARGS]
  smpte FILE [X W H]    libdrm's SMPTE test pattern (modetest), of a W x H
                        buffer shown from its column X (default: the
                        picture's own size, from 0; modetest gives several
                        connectors one buffer side by side)
  smpte-or-plain FILE RRGGBB [X W H]  that, or the colour RRGGBB everywhere
                        (modetest's second buffer, 777777)
  pattern FILE SEED     e2e-dumb/e2e-prime's pattern for SEED, from 0,0
  plain FILE RRGGBB     the colour RRGGBB everywhere
  text FILE FONT TEXT   TEXT drawn by fbcon in the 8x16 font whose kernel
                        source (lib/fonts/font_8x16.c) is FONT
  desktop FILE RRGGBB   Weston: mostly the background colour RRGGBB, and a
                        client window (a large area of something else)
  background FILE RRGGBB  Weston's background colour RRGGBB on most of it
Prints one line saying what was found; exit status 0 if the check passed,
1 if not, 2 on a usage error or an unreadable file.

Only the standard library: the PNGs are 8-bit RGB, as vdispl-be writes
them; any filter type is decoded.
"""
import re
import struct
import sys
import zlib


class Image:
    def __init__(self, path):
        with open(path, "rb") as f:
            data = f.read()
        if data[:8] != b"\x89PNG\r\n\x1a\n":
            raise ValueError("not a PNG file")
        pos, idat = 8, []
        while pos < len(data):
            n, kind = struct.unpack(">I4s", data[pos:pos + 8])
            body = data[pos + 8:pos + 8 + n]
            if kind == b"IHDR":
                self.w, self.h, depth, ctype, _, _, lace = struct.unpack(">IIBBBBB", body)
                if depth != 8 or ctype != 2 or lace:
                    raise ValueError("not 8-bit RGB non-interlaced")
            elif kind == b"IDAT":
                idat.append(body)
            pos += 12 + n
        raw = zlib.decompress(b"".join(idat))
        stride = self.w * 3
        rows, prev = [], bytearray(stride)
        for y in range(self.h):
            ftype = raw[y * (stride + 1)]
            line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
            self._unfilter(ftype, line, prev)
            rows.append(line)
            prev = line
        self.rows = rows

    @staticmethod
    def _unfilter(ftype, line, prev):
        n = len(line)
        if ftype == 1:
            for i in range(3, n):
                line[i] = (line[i] + line[i - 3]) & 0xFF
        elif ftype == 2:
            for i in range(n):
                line[i] = (line[i] + prev[i]) & 0xFF
        elif ftype == 3:
            for i in range(n):
                left = line[i - 3] if i >= 3 else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 0xFF
        elif ftype == 4:
            for i in range(n):
                a = line[i - 3] if i >= 3 else 0
                b, c = prev[i], prev[i - 3] if i >= 3 else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[i] = (line[i] + pred) & 0xFF
        elif ftype != 0:
            raise ValueError("bad filter type %d" % ftype)

    def px(self, x, y):
        r = self.rows[y]
        return tuple(r[3 * x:3 * x + 3])

    def colours(self):
        """Pixel count per colour (every 4th pixel of every 4th line)."""
        counts = {}
        for y in range(0, self.h, 4):
            r = self.rows[y]
            for x in range(0, self.w, 4):
                c = bytes(r[3 * x:3 * x + 3])
                counts[c] = counts.get(c, 0) + 1
        return counts


def near(a, b, tol=8):
    return all(abs(p - q) <= tol for p, q in zip(a, b))


# libdrm's SMPTE pattern, top two thirds: seven bars at 75 %.
SMPTE_TOP = [(192, 192, 192), (192, 192, 0), (0, 192, 192), (0, 192, 0),
             (192, 0, 192), (192, 0, 0), (0, 0, 192)]


def check_smpte(img, x0=0, w=0, h=0):
    w, h = w or img.w, h or img.h
    # The middle of each bar's visible part, on a line of the top band.
    y = min(h // 3, img.h - 1)
    got, want = [], []
    for i in range(7):
        left, right = max(i * w // 7, x0), min((i + 1) * w // 7, x0 + img.w)
        if right - left < 8:
            continue
        got.append(img.px((left + right) // 2 - x0, y))
        want.append(SMPTE_TOP[i])
    ok = bool(got) and all(near(g, e) for g, e in zip(got, want))
    return ok, "%d SMPTE bars %s at line %d (buffer %dx%d from column %d): %s" % (
        len(got), "found" if ok else "not found", y, w, h, x0,
        " ".join("%02x%02x%02x" % g for g in got))


def check_smpte_or_plain(img, colour_hex, *geometry):
    ok, why = check_smpte(img, *geometry)
    if ok:
        return ok, why
    ok2, why2 = check_plain_colour(img, colour_hex)
    return ok2, why + "; " + why2


def check_plain_colour(img, colour_hex):
    counts = img.colours()
    share = counts.get(bytes.fromhex(colour_hex), 0) / sum(counts.values())
    return share == 1, "colour %s on %.2f %% of the screen" % (colour_hex, 100 * share)


def pattern(x, y, seed):
    """e2e-dumb's XRGB8888 pattern, as (r, g, b)."""
    return ((x * 3 + seed) & 0xFF, (y * 5 + seed * 7) & 0xFF, (x ^ y) & 0xFF)


def check_pattern(img, seed):
    bad, total = 0, 0
    for y in range(0, img.h, 7):
        for x in range(0, img.w, 13):
            total += 1
            bad += img.px(x, y) != pattern(x, y, seed)
    return bad == 0, "pattern for seed %d: %d of %d sampled pixels differ" % (seed, bad, total)


def load_font(path):
    """The 4096 bytes of fontdata_8x16 from the kernel's font_8x16.c."""
    src = re.sub(r"/\*.*?\*/", "", open(path).read(), flags=re.S)
    body = src[src.index("fontdata_8x16"):]
    body = body[body.index("FONTDATAMAX"):]
    data = bytes(int(h, 16) for h in re.findall(r"0x([0-9a-fA-F]{2})\b", body))
    if len(data) < 4096:
        raise ValueError("%s: %d bytes of font data, want 4096" % (path, len(data)))
    return data[:4096]


def check_text(img, font, text):
    """TEXT on fbcon's 8x16 grid: every glyph pixel lit, every other dark."""
    lit = [[sum(r[3 * x:3 * x + 3]) > 3 * 64 for x in range(img.w)] for r in img.rows]

    def cell_matches(col, row, ch):
        glyph = font[16 * ord(ch):16 * ord(ch) + 16]
        for gy in range(16):
            line = lit[row * 16 + gy]
            bits = glyph[gy]
            for gx in range(8):
                if line[col * 8 + gx] != bool(bits & (0x80 >> gx)):
                    return False
        return True

    cols, rows = img.w // 8, img.h // 16
    for row in range(rows):
        for col in range(cols - len(text) + 1):
            if all(cell_matches(col + i, row, ch) for i, ch in enumerate(text)):
                return True, "text %r found at column %d, row %d" % (text, col, row)
    return False, "text %r not found on the %dx%d character grid" % (text, cols, rows)


def check_background(img, bg_hex):
    counts = img.colours()
    share = counts.get(bytes.fromhex(bg_hex), 0) / sum(counts.values())
    return share >= 0.5, "background %s on %.1f %% of the screen" % (bg_hex, 100 * share)


def check_desktop(img, bg_hex):
    bg = bytes.fromhex(bg_hex)
    counts = img.colours()
    total = sum(counts.values())
    share = counts.get(bg, 0) / total
    # A client window: lines below Weston's panel that are mostly not
    # background, over a stretch at least 100 pixels wide.
    window_lines = 0
    for y in range(64, img.h, 2):
        r = img.rows[y]
        run = best = 0
        for x in range(0, img.w, 2):
            run = run + 1 if bytes(r[3 * x:3 * x + 3]) != bg else 0
            best = max(best, run)
        window_lines += best >= 50
    ok = 0.3 <= share < 0.99 and window_lines >= 50
    return ok, "background %s on %.1f %% of the screen, %d lines with a window" % (
        bg_hex, 100 * share, 2 * window_lines)


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    check, path, args = argv[1], argv[2], argv[3:]
    want = {"smpte": (0, 3), "smpte-or-plain": (1, 4), "pattern": (1,), "plain": (1,), "text": (2,),
            "desktop": (1,), "background": (1,)}
    if len(args) not in want.get(check, ()):
        print(__doc__, file=sys.stderr)
        return 2
    try:
        img = Image(path)
        if check == "smpte":
            ok, why = check_smpte(img, *map(int, args))
        elif check == "smpte-or-plain":
            ok, why = check_smpte_or_plain(img, args[0], *map(int, args[1:]))
        elif check == "plain":
            ok, why = check_plain_colour(img, args[0])
        elif check == "pattern":
            ok, why = check_pattern(img, int(args[0]))
        elif check == "text":
            ok, why = check_text(img, load_font(args[0]), args[1])
        elif check == "background":
            ok, why = check_background(img, args[0])
        else:
            ok, why = check_desktop(img, args[0])
    except (OSError, ValueError, zlib.error, struct.error) as e:
        print("%s: %s" % (path, e))
        return 2
    print("%s: %dx%d, %s" % (path.rsplit("/", 1)[-1], img.w, img.h, why))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
