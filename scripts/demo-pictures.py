#!/usr/bin/env python3
"""Draws the demo catalog's pictures (static/img/products/*.svg): studio-style illustrations
made here, two per product (`{slug}.svg`, `{slug}-2.svg`), matching `pictures` in src/seed.rs.
Run it again after changing a drawing: `python3 scripts/demo-pictures.py`."""

from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "static" / "img" / "products"
W, H = 640, 480


def svg(label, body, defs=""):
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="{W}" height="{H}" '
        f'role="img" aria-label="{label}">\n<defs>{defs}'
        '<radialGradient id="sh"><stop offset="0" stop-color="#000" stop-opacity=".32"/>'
        '<stop offset="1" stop-color="#000" stop-opacity="0"/></radialGradient>'
        '<linearGradient id="gl" x1="0" x2="1"><stop offset="0" stop-color="#fff" stop-opacity="0"/>'
        '<stop offset=".5" stop-color="#fff" stop-opacity=".55"/><stop offset="1" stop-color="#fff" stop-opacity="0"/></linearGradient>'
        f"</defs>\n{body}\n</svg>\n"
    )


def lin(id_, stops, x2=0, y2=1, x1=0, y1=0):
    s = "".join(f'<stop offset="{o}" stop-color="{c}"/>' for o, c in stops)
    return f'<linearGradient id="{id_}" x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}">{s}</linearGradient>'


def studio(wall, floor, horizon=340):
    """A wall and a table top, lit from the upper left."""
    defs = lin("wall", [(0, wall[0]), (1, wall[1])]) + lin("floor", [(0, floor[0]), (1, floor[1])])
    body = (
        f'<rect width="{W}" height="{horizon}" fill="url(#wall)"/>'
        f'<rect y="{horizon}" width="{W}" height="{H - horizon}" fill="url(#floor)"/>'
        f'<rect y="{horizon}" width="{W}" height="2" fill="#fff" opacity=".35"/>'
    )
    return defs, body


def shadow(cx, cy, rx, ry):
    return f'<ellipse cx="{cx}" cy="{cy}" rx="{rx}" ry="{ry}" fill="url(#sh)"/>'


def flat(bg):
    """A flat-lay backdrop seen from above, with a soft vignette."""
    defs = (
        f'<radialGradient id="bg" cx=".4" cy=".35" r=".85"><stop offset="0" stop-color="{bg[0]}"/>'
        f'<stop offset="1" stop-color="{bg[1]}"/></radialGradient>'
    )
    return defs, f'<rect width="{W}" height="{H}" fill="url(#bg)"/>'


PICTURES = {}


def picture(slug, n, label):
    def register(draw):
        PICTURES[f"{slug}.svg" if n == 1 else f"{slug}-{n}.svg"] = (label, draw)
        return draw

    return register


# --- Ceramic Pour-Over Mug -------------------------------------------------------------------
@picture("ceramic-pour-over-mug", 1, "Ceramic Pour-Over Mug with its cone")
def _():
    d, b = studio(("#f4efe8", "#e6ddd1"), ("#c9b59b", "#b39c7f"))
    d += lin("glaze", [(0, "#2f6f73"), (0.45, "#4f9a9c"), (1, "#1f4d50")], x2=1, y2=0)
    d += lin("clay", [(0, "#d9c2a5"), (0.5, "#ecdcc6"), (1, "#bfa283")], x2=1, y2=0)
    b += shadow(330, 392, 150, 22)
    # handle
    b += '<path d="M418 230c62-4 74 92 4 104" fill="none" stroke="#265e61" stroke-width="26" stroke-linecap="round"/>'
    # body: glaze over raw clay foot, with a drip edge
    b += '<path d="M222 214h200l-10 160q-2 16-18 16H250q-16 0-18-16z" fill="url(#clay)"/>'
    b += ('<path d="M222 214h200l-6 96q-10 14-20 2t-22 6-24-4-26 8-22-6-26 4-22-4-18 0z" '
          'fill="url(#glaze)"/>')
    b += '<ellipse cx="322" cy="214" rx="100" ry="16" fill="#163b3d"/>'
    b += '<rect x="250" y="232" width="16" height="70" rx="8" fill="url(#gl)" opacity=".8"/>'
    # cone on top
    b += '<path d="M240 150h164l-40 66h-84z" fill="#f3efe9"/><path d="M240 150h164l-6 10H246z" fill="#ddd5ca"/>'
    b += '<ellipse cx="322" cy="150" rx="82" ry="12" fill="#e9e2d7"/><ellipse cx="322" cy="150" rx="70" ry="8" fill="#7a5236"/>'
    b += "".join(f'<path d="M{282 + i * 16} 166l{6 - i * 3} 44" stroke="#d8cfc2" stroke-width="3"/>' for i in range(6))
    b += '<rect x="250" y="206" width="144" height="12" rx="6" fill="#e4dccf"/>'
    return svg("Ceramic Pour-Over Mug", b, d)


@picture("ceramic-pour-over-mug", 2, "The mug from above, full of coffee, on an oak board")
def _():
    d, b = flat(("#efe6da", "#d6c6b1"))
    d += lin("oak", [(0, "#c8975f"), (1, "#a8773f")], x2=1, y2=1)
    d += '<radialGradient id="cof" cx=".45" cy=".4"><stop offset="0" stop-color="#b07a4a"/><stop offset=".55" stop-color="#6d3f1f"/><stop offset="1" stop-color="#3a1e0c"/></radialGradient>'
    b += '<rect x="90" y="70" width="460" height="340" rx="26" fill="url(#oak)"/>'
    b += "".join(f'<path d="M100 {110 + i * 44}q220 {(-1) ** i * 14} 440 0" stroke="#9a6a36" stroke-width="3" fill="none" opacity=".45"/>' for i in range(7))
    b += shadow(335, 255, 150, 140)
    b += '<path d="M430 238c56-6 56 44 0 40" fill="none" stroke="#2f6f73" stroke-width="24" stroke-linecap="round"/>'
    b += '<circle cx="320" cy="240" r="122" fill="#2f6f73"/><circle cx="320" cy="240" r="104" fill="#1f4d50"/>'
    b += '<circle cx="320" cy="240" r="96" fill="url(#cof)"/>'
    b += '<path d="M270 210q30-30 70-14" stroke="#e8c9a0" stroke-width="6" fill="none" stroke-linecap="round" opacity=".7"/>'
    b += '<circle cx="170" cy="360" r="9" fill="#4a2a14"/><circle cx="190" cy="372" r="8" fill="#4a2a14"/><circle cx="158" cy="380" r="7" fill="#4a2a14"/>'
    return svg("Ceramic Pour-Over Mug from above", b, d)


# --- Organic Cotton Tee ----------------------------------------------------------------------
TEE = ("M232 86l-92 40-40 92 62 26 26-50v232h264V194l26 50 62-26-40-92-92-40"
       "q-24 34-88 34t-88-34z")


@picture("organic-cotton-tee", 1, "Organic Cotton Tee laid flat")
def _():
    d, b = flat(("#f3f1ec", "#dcd8cf"))
    d += lin("tee", [(0, "#3c5a7d"), (1, "#2b4562")], x2=1, y2=1)
    b += f'<path d="{TEE}" transform="translate(6 10)" fill="#000" opacity=".12"/>'
    b += f'<path d="{TEE}" fill="url(#tee)"/>'
    b += '<path d="M232 86q24 34 88 34t88-34" fill="none" stroke="#243a53" stroke-width="12"/>'
    b += '<path d="M188 120q20 60 0 130M452 120q-20 60 0 130M250 300q70 20 140-6M240 400q80-18 160 4" stroke="#1e3247" stroke-width="4" fill="none" opacity=".35"/>'
    b += '<path d="M296 140h48v14h-48z" fill="#f2e8d5" opacity=".9"/>'
    return svg("Organic Cotton Tee", b, d)


@picture("organic-cotton-tee", 2, "Three tees folded in a stack: navy, oat and moss")
def _():
    d, b = studio(("#eef0ec", "#dfe3dc"), ("#cfc6b8", "#bdb2a2"), 330)
    b += shadow(320, 396, 190, 20)
    for i, (top, side) in enumerate([("#6d7f4e", "#5a6a3f"), ("#e7dcc6", "#d3c6ac"), ("#3c5a7d", "#2f4866")]):
        y = 330 - i * 62
        b += f'<rect x="150" y="{y}" width="340" height="58" rx="12" fill="{side}"/>'
        b += f'<rect x="150" y="{y - 4}" width="340" height="44" rx="12" fill="{top}"/>'
        b += f'<path d="M180 {y + 8}h280" stroke="#fff" stroke-width="3" opacity=".25"/>'
    b += '<path d="M270 206q50 22 100 0" fill="none" stroke="#243a53" stroke-width="6" opacity=".6"/>'
    return svg("Organic Cotton Tees, folded", b, d)


# --- Canvas Tote Bag -------------------------------------------------------------------------
@picture("canvas-tote-bag", 1, "Canvas Tote Bag")
def _():
    d, b = studio(("#f1ece4", "#e2d9cc"), ("#b9a58c", "#a48e73"))
    d += lin("canvas", [(0, "#efe3c8"), (0.6, "#e4d4b2"), (1, "#cfbd98")], x2=1, y2=1)
    b += shadow(320, 412, 170, 20)
    b += '<path d="M250 190q0-120 70-120t70 120" fill="none" stroke="#7d5a3a" stroke-width="16"/>'
    b += '<path d="M210 190h220l26 216H184z" fill="url(#canvas)"/>'
    b += '<path d="M210 190h220l4 30H206z" fill="#d9c7a1"/>'
    b += '<path d="M206 222h228M190 392h260" stroke="#a89270" stroke-width="2" stroke-dasharray="7 6"/>'
    b += '<rect x="262" y="262" width="116" height="84" rx="4" fill="#2f5d50"/><text x="320" y="312" font-family="Georgia,serif" font-size="26" fill="#efe3c8" text-anchor="middle">shop</text>'
    b += "".join(f'<path d="M{200 + i * 22} 236l-4 150" stroke="#cdb992" stroke-width="1.5" opacity=".6"/>' for i in range(11))
    return svg("Canvas Tote Bag", b, d)


@picture("canvas-tote-bag", 2, "The tote hanging from a hook, packed with bread and greens")
def _():
    d, b = studio(("#dfe7e2", "#cbd6cf"), ("#8c7a66", "#7a6856"), 420)
    d += lin("canvas", [(0, "#efe3c8"), (1, "#d7c5a1")], x2=1, y2=1)
    b += '<rect x="300" y="40" width="40" height="18" rx="6" fill="#555"/><path d="M320 58v30q0 18 18 18" stroke="#555" stroke-width="8" fill="none"/>'
    b += '<path d="M262 230q0-132 58-132t58 132" fill="none" stroke="#7d5a3a" stroke-width="14"/>'
    b += '<path d="M360 150l40-90 22 8-40 92z" fill="#d9a25e"/><path d="M372 120l30 10M382 98l30 10" stroke="#b07a3a" stroke-width="4"/>'
    b += '<path d="M262 200q-20-70 20-90 10 50-20 90zM282 196q10-80 50-80-10 50-50 80z" fill="#5b8f4a"/>'
    b += '<path d="M220 196h200l24 200H196z" fill="url(#canvas)"/>'
    b += '<path d="M214 228h212" stroke="#a89270" stroke-width="2" stroke-dasharray="7 6"/>'
    b += '<rect x="264" y="276" width="112" height="80" rx="4" fill="#2f5d50"/>'
    return svg("Canvas Tote Bag in use", b, d)


# --- Merino Beanie ---------------------------------------------------------------------------
@picture("merino-beanie", 1, "Merino Beanie in rust red")
def _():
    d, b = studio(("#eef0f2", "#dde1e6"), ("#c5c9cf", "#b3b8bf"))
    d += lin("knit", [(0, "#c4573a"), (0.5, "#d8704f"), (1, "#9c3f27")], x2=1, y2=0)
    d += lin("cuff", [(0, "#a8462d"), (0.5, "#c55e40"), (1, "#873520")], x2=1, y2=0)
    b += shadow(320, 394, 170, 22)
    b += '<path d="M180 300q-6-200 140-200t140 200z" fill="url(#knit)"/>'
    b += "".join(f'<path d="M{196 + i * 16} 298q{(i - 8) * 3} -120 {124 - i * 16 + (i - 8) * 2} -190" stroke="#8f3a24" stroke-width="3" fill="none" opacity=".45"/>' for i in range(17))
    b += '<rect x="168" y="286" width="304" height="96" rx="22" fill="url(#cuff)"/>'
    b += "".join(f'<path d="M{184 + i * 14} 292v84" stroke="#7a2f1b" stroke-width="4" opacity=".4"/>' for i in range(20))
    b += '<rect x="294" y="312" width="52" height="34" rx="3" fill="#2d2a26"/><path d="M302 324h36M302 334h24" stroke="#d9d2c4" stroke-width="3"/>'
    return svg("Merino Beanie", b, d)


@picture("merino-beanie", 2, "Close-up of the beanie's fine rib knit")
def _():
    d = lin("bg", [(0, "#cf6649"), (1, "#a9472f")], x2=1, y2=1)
    b = f'<rect width="{W}" height="{H}" fill="url(#bg)"/>'
    for row in range(14):
        for col in range(22):
            x, y = col * 30 + (15 if row % 2 else 0) - 10, row * 36 - 10
            b += f'<path d="M{x} {y}l14 26 14-26" fill="none" stroke="{"#e38a6b" if col % 2 else "#8c3822"}" stroke-width="9" stroke-linecap="round"/>'
    b += f'<rect width="{W}" height="{H}" fill="url(#gl)" opacity=".25"/>'
    return svg("Merino Beanie knit detail", b, d)


# --- Enamel Camp Mug -------------------------------------------------------------------------
def camp_mug(cx, cy, scale=1.0):
    t = f'transform="translate({cx} {cy}) scale({scale})"'
    return (
        f'<g {t}><path d="M86 -70c56 0 56 90 0 90" fill="none" stroke="#8a9299" stroke-width="14"/>'
        '<path d="M-96 -110h192v150q0 30-30 30h-132q-30 0-30-30z" fill="url(#enamel)"/>'
        '<ellipse cx="0" cy="-110" rx="96" ry="16" fill="#1f3b63"/><ellipse cx="0" cy="-110" rx="86" ry="11" fill="#e9edf1"/>'
        '<path d="M-96 60q0 10 12 10h168q12 0 12-10" fill="none" stroke="#1f3b63" stroke-width="6"/>'
        '<circle cx="-40" cy="-30" r="3" fill="#5a6d86"/><circle cx="30" cy="10" r="2.5" fill="#5a6d86"/><circle cx="-10" cy="30" r="2" fill="#5a6d86"/><circle cx="50" cy="-60" r="2" fill="#5a6d86"/>'
        '<rect x="-76" y="-90" width="18" height="120" rx="9" fill="url(#gl)"/></g>'
    )


ENAMEL = lin("enamel", [(0, "#dfe4ea"), (0.4, "#fbfcfd"), (1, "#c3cbd4")], x2=1, y2=0)


@picture("enamel-camp-mug", 1, "Enamel Camp Mug, white with a navy rim")
def _():
    d, b = studio(("#e7eef2", "#d4dee5"), ("#a9b3a0", "#96a08c"))
    d += ENAMEL
    b += shadow(320, 392, 140, 20)
    b += camp_mug(310, 320)
    return svg("Enamel Camp Mug", b, d)


@picture("enamel-camp-mug", 2, "The camp mug steaming on a stove by the mountains at dusk")
def _():
    d = lin("sky", [(0, "#f6b27a"), (0.6, "#f4d3a6"), (1, "#e9e2cf")]) + ENAMEL
    b = f'<rect width="{W}" height="{H}" fill="url(#sky)"/>'
    b += '<path d="M0 300l120-130 80 70 110-150 130 160 70-60 130 110v180H0z" fill="#6a6f8f"/>'
    b += '<path d="M0 340l160-90 120 80 140-70 220 100v120H0z" fill="#4a5570"/>'
    b += '<rect y="400" width="640" height="80" fill="#3b3f3a"/>'
    b += '<rect x="250" y="372" width="140" height="34" rx="6" fill="#2a2c2e"/><path d="M262 372l-18 44M378 372l18 44" stroke="#2a2c2e" stroke-width="8"/>'
    b += '<path d="M290 372q10-20 20 0 10-24 20 0" fill="#f28a2e"/>'
    b += camp_mug(320, 296, 0.72)
    b += '<path d="M300 196q-16-20 0-40t0-40M330 200q-16-20 0-40t0-40" stroke="#fff" stroke-width="5" fill="none" opacity=".6" stroke-linecap="round"/>'
    return svg("Enamel Camp Mug at camp", b, d)


# --- Linen Notebook --------------------------------------------------------------------------
def linen(id_, base, thread):
    return (
        f'<pattern id="{id_}" width="6" height="6" patternUnits="userSpaceOnUse"><rect width="6" height="6" fill="{base}"/>'
        f'<path d="M0 1.5h6M1.5 0v6" stroke="{thread}" stroke-width="1" opacity=".5"/></pattern>'
    )


@picture("linen-notebook", 1, "Linen Notebook in sage, with its elastic band")
def _():
    d, b = flat(("#f5f2ec", "#e0dacf"))
    d += linen("lin", "#8fa68a", "#6e8769")
    b += '<rect x="196" y="70" width="268" height="360" rx="10" fill="#000" opacity=".12" transform="translate(8 8)"/>'
    b += '<rect x="196" y="70" width="268" height="360" rx="10" fill="#f6f1e6"/>'
    b += '<rect x="190" y="66" width="268" height="360" rx="10" fill="url(#lin)"/>'
    b += '<rect x="190" y="66" width="20" height="360" fill="#000" opacity=".08"/>'
    b += '<rect x="412" y="66" width="12" height="360" fill="#2d3a2b"/>'
    b += '<rect x="246" y="130" width="156" height="58" rx="4" fill="#f6f1e6"/><path d="M262 152h124M262 168h80" stroke="#9aa394" stroke-width="3"/>'
    return svg("Linen Notebook", b, d)


@picture("linen-notebook", 2, "The notebook open on dotted pages with a note in fountain-pen ink")
def _():
    d, b = flat(("#e9e4da", "#cfc7b8"))
    d += linen("lin", "#8fa68a", "#6e8769")
    d += '<pattern id="dots" width="20" height="20" patternUnits="userSpaceOnUse"><circle cx="10" cy="10" r="1.6" fill="#b9b2a5"/></pattern>'
    b += '<rect x="70" y="78" width="500" height="334" rx="12" fill="url(#lin)"/>'
    b += '<path d="M84 88h232v314H96q-12 0-12-12z" fill="#fbf8f1"/><path d="M324 88h232v302q0 12-12 12H324z" fill="#fbf8f1"/>'
    b += '<rect x="84" y="88" width="472" height="314" fill="url(#dots)"/>'
    b += '<rect x="304" y="88" width="32" height="314" fill="url(#gl)" opacity=".0"/><path d="M320 88v314" stroke="#d8d0c1" stroke-width="4"/>'
    b += '<path d="M120 150q20-14 34 0t34 0 34 0M120 190q24-10 44 2t40-4M120 230q30-12 56 0" stroke="#24407a" stroke-width="3.5" fill="none" stroke-linecap="round"/>'
    b += '<path d="M360 160h150M360 200h120M360 240h140" stroke="#24407a" stroke-width="3" stroke-dasharray="2 10" stroke-linecap="round"/>'
    return svg("Linen Notebook, open", b, d)


# --- Brass Rollerball Pen --------------------------------------------------------------------
BRASS = lin("brass", [(0, "#f6dc8c"), (0.35, "#d7a94a"), (0.7, "#a8792a"), (1, "#e6c36e")], x2=0, y2=1)


def pen(transform):
    return (
        f'<g transform="{transform}">'
        '<path d="M-230 -14h380l70 14-70 14h-380q-14 0-14-14t14-14z" fill="url(#brass)"/>'
        '<path d="M150 -14l70 14-70 14z" fill="#b8862f"/><path d="M220 0l16 0" stroke="#333" stroke-width="4"/>'
        '<rect x="-60" y="-16" width="10" height="32" fill="#a8792a"/>'
        '<path d="M-220 -22h170q8 0 8 8v6h-178z" fill="url(#brass)"/><circle cx="-212" cy="-15" r="5" fill="#c9983d"/>'
        '<rect x="-200" y="-8" width="300" height="4" rx="2" fill="#fff" opacity=".55"/></g>'
    )


@picture("brass-rollerball-pen", 1, "Brass Rollerball Pen")
def _():
    d, b = studio(("#2e3136", "#1f2226"), ("#3a3d42", "#2c2f33"), 300)
    d += BRASS
    b += shadow(330, 318, 250, 14)
    b += pen("translate(320 290) rotate(-8)")
    return svg("Brass Rollerball Pen", b, d)


@picture("brass-rollerball-pen", 2, "The pen resting on a page of handwriting")
def _():
    d, b = flat(("#f7f3ea", "#e6dfd0"))
    d += BRASS
    b += "".join(f'<path d="M60 {90 + i * 44}h520" stroke="#c9d3e0" stroke-width="2"/>' for i in range(8))
    b += '<path d="M80 120q14-22 26 0t26 0 28-6 24 4M80 164q18-16 40 0t30-2M80 208q22-20 44 0t34 0 30 0" stroke="#1d2a44" stroke-width="3.5" fill="none" stroke-linecap="round"/>'
    b += '<g opacity=".22">' + pen("translate(336 320) rotate(-28)") + "</g>"
    b += pen("translate(326 306) rotate(-28)")
    return svg("Brass Rollerball Pen on paper", b, d)


# --- Wool Hiking Socks -----------------------------------------------------------------------
SOCK = "M0 0h90v190q0 30 26 46l70 40q30 20 10 50t-56 10l-110-62q-30-18-30-60z"


def sock(x, y, main, stripe, heel, flip=False):
    t = f"translate({x} {y})" + (" scale(-1 1)" if flip else "")
    return (
        f'<g transform="{t}"><path d="{SOCK}" fill="{main}"/>'
        f'<rect x="0" y="0" width="90" height="40" fill="{stripe}"/><rect x="0" y="54" width="90" height="12" fill="{stripe}"/>'
        f'<path d="M0 200q10 40 40 52l-20 28q-20-10-20-40z" fill="{heel}"/>'
        f'<path d="M150 270q40 16 40 40t-20 32q-20-4-50-20z" fill="{heel}"/>'
        + "".join(f'<path d="M{8 + i * 12} 2v36" stroke="#000" stroke-width="3" opacity=".12"/>' for i in range(7))
        + "</g>"
    )


@picture("wool-hiking-socks", 1, "A pair of Wool Hiking Socks in grey with mustard stripes")
def _():
    d, b = flat(("#edf0ea", "#d3d9cd"))
    b += '<g opacity=".12" transform="translate(8 8)">' + sock(196, 60, "#000", "#000", "#000") + sock(444, 60, "#000", "#000", "#000", True) + "</g>"
    b += sock(196, 60, "#7d8288", "#d9a82b", "#4b4f55")
    b += sock(444, 60, "#8a8f95", "#d9a82b", "#4b4f55", True)
    return svg("Wool Hiking Socks", b, d)


@picture("wool-hiking-socks", 2, "The socks rolled in pairs, ready for the trail")
def _():
    d, b = studio(("#e9ede4", "#d6ddd0"), ("#9a8a73", "#86765f"), 320)
    b += shadow(320, 384, 220, 20)
    for i, (cx, c) in enumerate([(210, "#7d8288"), (320, "#5e6b54"), (430, "#8b5a4a")]):
        b += f'<ellipse cx="{cx}" cy="320" rx="56" ry="60" fill="{c}"/>'
        b += f'<ellipse cx="{cx}" cy="320" rx="56" ry="60" fill="none" stroke="#d9a82b" stroke-width="10" stroke-dasharray="40 300" transform="rotate({30 + i * 20} {cx} 320)"/>'
        b += f'<path d="M{cx - 40} 300q40-30 80 0M{cx - 44} 330q44-30 88 0" stroke="#000" stroke-width="4" fill="none" opacity=".15"/>'
    return svg("Wool Hiking Socks, rolled", b, d)


# --- Leather Card Wallet ---------------------------------------------------------------------
LEATHER = lin("leather", [(0, "#a8643a"), (0.5, "#8e4f2a"), (1, "#6f3b1d")], x2=1, y2=1)


@picture("leather-card-wallet", 1, "Leather Card Wallet with cards in its slots")
def _():
    d, b = studio(("#efe9e3", "#ded5cb"), ("#7c8a8c", "#6a7779"), 330)
    d += LEATHER
    b += shadow(320, 372, 190, 18)
    b += '<rect x="150" y="150" width="340" height="210" rx="18" fill="url(#leather)"/>'
    b += '<rect x="162" y="162" width="316" height="186" rx="12" fill="none" stroke="#e8c9a6" stroke-width="2.5" stroke-dasharray="8 6"/>'
    b += '<rect x="190" y="118" width="200" height="90" rx="8" fill="#2f6d8f"/><rect x="214" y="128" width="200" height="80" rx="8" fill="#e7b742"/>'
    b += '<path d="M150 200h340v160H168q-18 0-18-18z" fill="#7d4323"/><path d="M150 200h340" stroke="#5a2f17" stroke-width="3"/>'
    b += '<path d="M162 212h316" stroke="#e8c9a6" stroke-width="2.5" stroke-dasharray="8 6"/>'
    b += '<text x="320" y="300" font-family="Georgia,serif" font-size="22" fill="#5a2f17" text-anchor="middle" opacity=".8">STOREFRONT</text>'
    return svg("Leather Card Wallet", b, d)


@picture("leather-card-wallet", 2, "The wallet's back, with its centre pocket for folded notes")
def _():
    d, b = flat(("#e4e8ea", "#c8cfd3"))
    d += LEATHER
    b += '<rect x="178" y="108" width="300" height="280" rx="18" fill="#000" opacity=".14"/>'
    b += '<rect x="170" y="100" width="300" height="280" rx="18" fill="url(#leather)"/>'
    b += '<rect x="182" y="112" width="276" height="256" rx="12" fill="none" stroke="#e8c9a6" stroke-width="2.5" stroke-dasharray="8 6"/>'
    b += '<path d="M220 100v-26h200v26" fill="#cfe0c8"/><path d="M220 86h200" stroke="#a9bfa1" stroke-width="3"/>'
    b += '<path d="M170 160q150 40 300 0" fill="none" stroke="#5a2f17" stroke-width="4"/>'
    return svg("Leather Card Wallet, back", b, d)


# --- Glass Water Bottle ----------------------------------------------------------------------
def bottle(cx, base):
    return (
        f'<g transform="translate({cx} {base})">'
        '<path d="M-62 -300q0-30 30-40v-30h64v30q30 10 30 40v280q0 20-20 20H-42q-20 0-20-20z" fill="#dff0f0" opacity=".55"/>'
        '<path d="M-56 -220h112v200q0 16-16 16H-40q-16 0-16-16z" fill="#8fc9d6" opacity=".7"/>'
        '<rect x="-62" y="-170" width="124" height="120" rx="10" fill="#4f7f6b"/>'
        + "".join(f'<circle cx="{-40 + (i % 4) * 26}" cy="{-150 + (i // 4) * 26}" r="6" fill="#3d6655"/>' for i in range(16))
        + '<rect x="-36" y="-410" width="72" height="44" rx="8" fill="url(#bamboo)"/>'
        '<path d="M-36 -396h72M-36 -382h72" stroke="#b58e57" stroke-width="2"/>'
        '<rect x="-50" y="-300" width="14" height="250" rx="7" fill="#fff" opacity=".5"/></g>'
    )


BAMBOO = lin("bamboo", [(0, "#d8b57b"), (1, "#c69c5e")], x2=1, y2=0)


@picture("glass-water-bottle", 1, "Glass Water Bottle with a green silicone sleeve and bamboo lid")
def _():
    d, b = studio(("#eaf2f3", "#d5e3e5"), ("#e9e4dc", "#d8d1c5"), 380)
    d += BAMBOO
    b += shadow(320, 420, 110, 14)
    b += bottle(320, 420)
    return svg("Glass Water Bottle", b, d)


@picture("glass-water-bottle", 2, "The bottle on a sunny windowsill beside a glass of water")
def _():
    d, b = studio(("#fbf3dc", "#f2e3bb"), ("#e1d3b8", "#d0c09f"), 390)
    d += BAMBOO
    b += '<rect x="60" y="40" width="520" height="320" fill="#cfe6f2"/><path d="M320 40v320M60 200h520" stroke="#fff" stroke-width="14"/>'
    b += '<rect x="60" y="40" width="520" height="320" fill="none" stroke="#fff" stroke-width="18"/>'
    b += '<path d="M80 360l120-200h80L200 360z" fill="#fff" opacity=".25"/>'
    b += shadow(250, 424, 100, 12) + bottle(250, 424)
    b += shadow(440, 424, 50, 8)
    b += '<path d="M404 290h72l-8 130h-56z" fill="#dff0f0" opacity=".6"/><path d="M408 330h64l-5 88h-54z" fill="#8fc9d6" opacity=".7"/>'
    return svg("Glass Water Bottle by a window", b, d)


# --- Terracotta Desk Planter -----------------------------------------------------------------
TERRA = lin("terra", [(0, "#c96f45"), (0.45, "#dc8a5f"), (1, "#a9542f")], x2=1, y2=0)


def rosette(cx, cy, r, n=10, colour="#7fa47a", tip="#c98a8a"):
    out = ""
    for layer, (k, scale) in enumerate([(n, 1.0), (n - 2, 0.7), (n - 4, 0.42)]):
        for i in range(k):
            angle = i * 360 / k + layer * 17
            out += (f'<path d="M0 0q{r * scale * 0.35} {-r * scale * 0.5} 0 {-r * scale}q{-r * scale * 0.35} {r * scale * 0.5} 0 {r * scale}z" '
                    f'fill="{colour}" stroke="{tip}" stroke-width="2" transform="translate({cx} {cy}) rotate({angle:.0f})"/>')
    return out


@picture("terracotta-desk-planter", 1, "Terracotta Desk Planter with a succulent, on its saucer")
def _():
    d, b = studio(("#f1eee6", "#e2ddd1"), ("#bfc5b8", "#aeb5a6"), 340)
    d += TERRA
    b += shadow(320, 402, 150, 18)
    b += '<ellipse cx="320" cy="388" rx="140" ry="22" fill="#a9542f"/><ellipse cx="320" cy="380" rx="140" ry="20" fill="#c96f45"/>'
    b += '<path d="M210 250h220l-26 126q-2 8-12 8H248q-10 0-12-8z" fill="url(#terra)"/>'
    b += '<rect x="200" y="226" width="240" height="34" rx="6" fill="url(#terra)"/><rect x="200" y="254" width="240" height="6" fill="#000" opacity=".1"/>'
    b += '<g transform="translate(0 -10) scale(1 .55) translate(0 190)">' + rosette(320, 230, 90) + "</g>"
    return svg("Terracotta Desk Planter", b, d)


@picture("terracotta-desk-planter", 2, "The planter from above: an echeveria rosette in fresh soil")
def _():
    d, b = flat(("#eeeae0", "#d2cbbb"))
    b += shadow(330, 250, 200, 190)
    b += '<circle cx="320" cy="240" r="176" fill="#c96f45"/><circle cx="320" cy="240" r="150" fill="#b15d36"/><circle cx="320" cy="240" r="140" fill="#4a3626"/>'
    b += "".join(f'<circle cx="{220 + (i * 53) % 200}" cy="{150 + (i * 37) % 180}" r="3" fill="#6b513b"/>' for i in range(30))
    b += rosette(320, 240, 120, 12)
    return svg("Terracotta Desk Planter from above", b, d)


# --- Crab Sticker Pack -----------------------------------------------------------------------
def crab(cx, cy, s, colour="#f0642c"):
    return (
        f'<g transform="translate({cx} {cy}) scale({s})">'
        '<ellipse cx="0" cy="0" rx="64" ry="44" fill="#fff"/>'
        f'<path d="M-58 8l-34 22M58 8l34 22M-52 24l-26 30M52 24l26 30" stroke="#fff" stroke-width="22" stroke-linecap="round"/>'
        f'<circle cx="-78" cy="-40" r="30" fill="#fff"/><circle cx="78" cy="-40" r="30" fill="#fff"/>'
        f'<path d="M-58 8l-34 22M58 8l34 22M-52 24l-26 30M52 24l26 30" stroke="{colour}" stroke-width="10" stroke-linecap="round"/>'
        f'<path d="M-40 -20l-30-18M40 -20l30-18" stroke="{colour}" stroke-width="10" stroke-linecap="round"/>'
        f'<path d="M-98 -50a22 22 0 1 1 30 16l-10-12z M98 -50a22 22 0 1 0 -30 16l10-12z" fill="{colour}"/>'
        f'<ellipse cx="0" cy="0" rx="56" ry="36" fill="{colour}"/>'
        '<circle cx="-18" cy="-8" r="9" fill="#fff"/><circle cx="18" cy="-8" r="9" fill="#fff"/><circle cx="-16" cy="-7" r="5" fill="#222"/><circle cx="20" cy="-7" r="5" fill="#222"/>'
        '<path d="M-12 12q12 10 24 0" stroke="#222" stroke-width="4" fill="none" stroke-linecap="round"/></g>'
    )


@picture("crab-sticker-pack", 1, "Crab Sticker Pack: six die-cut orange crab stickers on a sheet")
def _():
    d, b = flat(("#e9eef5", "#cfd8e6"))
    b += '<rect x="108" y="48" width="424" height="384" rx="16" fill="#000" opacity=".12" transform="translate(8 8)"/>'
    b += '<rect x="108" y="48" width="424" height="384" rx="16" fill="#f7f7f5"/>'
    for i, colour in enumerate(["#f0642c", "#e4572e", "#f28c28", "#f0642c", "#d94f30", "#f28c28"]):
        cx, cy = 220 + (i % 3) * 100, 160 + (i // 3) * 160
        b += f'<circle cx="{cx}" cy="{cy}" r="64" fill="#e9e9e6"/>' + crab(cx, cy, 0.5, colour)
    return svg("Crab Sticker Pack", b, d)


@picture("crab-sticker-pack", 2, "Crab stickers on a laptop lid")
def _():
    d = lin("lid", [(0, "#a9b0b8"), (1, "#868d96")], x2=1, y2=1)
    b = f'<rect width="{W}" height="{H}" fill="#3a3f47"/><rect x="70" y="50" width="500" height="380" rx="26" fill="url(#lid)"/>'
    b += crab(210, 170, 0.8) + crab(430, 300, 0.62, "#f28c28") + crab(440, 130, 0.45, "#d94f30")
    b += '<rect x="150" y="310" width="130" height="60" rx="30" fill="#fff"/><text x="215" y="348" font-family="Verdana,sans-serif" font-size="22" font-weight="700" fill="#f0642c" text-anchor="middle">hello</text>'
    return svg("Crab stickers on a laptop", b, d)


# --- Limited Edition Print -------------------------------------------------------------------
def harbour(x, y, w, h):
    """The print: a harbour at dawn, in two risograph inks."""
    return (
        f'<svg x="{x}" y="{y}" width="{w}" height="{h}" viewBox="0 0 300 220">'
        '<rect width="300" height="220" fill="#f7e6d4"/>'
        '<rect width="300" height="120" fill="#f7b4a0"/><circle cx="190" cy="112" r="38" fill="#ef6f5e"/>'
        '<rect y="118" width="300" height="102" fill="#3d6fb6"/>'
        + "".join(f'<path d="M{10 + (i * 37) % 280} {136 + (i * 13) % 80}h{20 + i % 3 * 8}" stroke="#f7b4a0" stroke-width="3" opacity=".8"/>' for i in range(18))
        + '<path d="M40 150h60l-8 14H50z" fill="#1e3f73"/><path d="M70 150V100l24 44z" fill="#f7e6d4"/>'
        '<path d="M200 170h50l-6 12h-38z" fill="#1e3f73"/><path d="M222 170v-40l18 34z" fill="#f7e6d4"/>'
        '<path d="M0 120l30-24 20 10 30-30 20 44z" fill="#2e5a99" opacity=".85"/>'
        "</svg>"
    )


@picture("limited-edition-print", 1, "Limited Edition Print: the harbour at dawn, in an oak frame")
def _():
    d, b = studio(("#f3efe9", "#e5dfd6"), ("#d8cfc3", "#c8bdae"), 420)
    b += '<rect x="138" y="58" width="380" height="300" fill="#000" opacity=".12" transform="translate(10 12)"/>'
    b += '<rect x="130" y="50" width="380" height="300" fill="#c59b6d"/><rect x="144" y="64" width="352" height="272" fill="#fbf8f2"/>'
    b += harbour(174, 90, 292, 214)
    b += '<text x="466" y="324" font-family="Georgia,serif" font-size="11" fill="#7a6a5a" text-anchor="end">1/1 · signed</text>'
    return svg("Limited Edition Print", b, d)


@picture("limited-edition-print", 2, "Detail of the print's risograph grain and the signed edition number")
def _():
    d = '<pattern id="grain" width="8" height="8" patternUnits="userSpaceOnUse"><circle cx="2" cy="2" r="1.3" fill="#1e3f73" opacity=".35"/><circle cx="6" cy="6" r="1" fill="#ef6f5e" opacity=".35"/></pattern>'
    b = f'<rect width="{W}" height="{H}" fill="#fbf8f2"/>'
    b += harbour(-120, -80, 880, 600) + f'<rect width="{W}" height="{H}" fill="url(#grain)"/>'
    b += '<rect x="360" y="380" width="250" height="70" fill="#fbf8f2" opacity=".92"/>'
    b += '<path d="M380 420q14-22 24 0t22-6 20 6M470 424q20-30 40-4t30-6" stroke="#333" stroke-width="3" fill="none"/>'
    b += '<text x="596" y="440" font-family="Georgia,serif" font-size="20" fill="#333" text-anchor="end">1/1</text>'
    return svg("Limited Edition Print, detail", b, d)


# --- Vintage Enamel Pin ----------------------------------------------------------------------
def pin(cx, cy, s):
    return (
        f'<g transform="translate({cx} {cy}) scale({s})">'
        '<path d="M-90 40l60-100 30 40 30-60 70 120z" fill="#c9a24a"/>'
        '<path d="M-78 34l48-80 30 40 30-60 58 100z" fill="#2f5d7c"/>'
        '<path d="M-30 -46l14 22h-28zM30 -66l18 30h-36z" fill="#f4f1ea"/>'
        '<circle cx="40" cy="-8" r="12" fill="#f0a33a"/>'
        '<path d="M-78 34h136" stroke="#c9a24a" stroke-width="6"/>'
        '<path d="M-60 20q30-14 60 0t60 0" stroke="#7fb0cf" stroke-width="5" fill="none"/></g>'
    )


@picture("vintage-enamel-pin", 1, "Vintage Enamel Pin, a mountain badge on its backing card")
def _():
    d, b = flat(("#f0ece4", "#d8d1c3"))
    b += '<rect x="198" y="68" width="244" height="344" rx="10" fill="#000" opacity=".12" transform="translate(8 8)"/>'
    b += '<rect x="198" y="68" width="244" height="344" rx="10" fill="#2b2b2b"/><circle cx="320" cy="96" r="10" fill="#d8d1c3"/>'
    b += pin(320, 250, 1.1)
    b += '<text x="320" y="386" font-family="Georgia,serif" font-size="18" fill="#c9a24a" text-anchor="middle">since day one</text>'
    return svg("Vintage Enamel Pin", b, d)


@picture("vintage-enamel-pin", 2, "The pin on a denim jacket's collar")
def _():
    d = ('<pattern id="denim" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(35)">'
         '<rect width="8" height="8" fill="#3e5f8a"/><path d="M0 2h8M0 6h8" stroke="#52739f" stroke-width="2"/></pattern>')
    b = f'<rect width="{W}" height="{H}" fill="url(#denim)"/>'
    b += '<path d="M0 0h300l-80 480H0z" fill="#000" opacity=".12"/>'
    b += '<path d="M300 0l-80 480" stroke="#d9a24a" stroke-width="3" stroke-dasharray="10 6"/><path d="M316 0l-80 480" stroke="#d9a24a" stroke-width="3" stroke-dasharray="10 6"/>'
    b += '<circle cx="150" cy="380" r="22" fill="#b8862f"/><circle cx="150" cy="380" r="14" fill="#d9a24a"/>'
    b += '<path d="M-90 40l60-100 30 40 30-60 70 120z" transform="translate(437 259)" fill="#000" opacity=".3"/>'
    b += pin(430, 250, 1.0)
    return svg("Vintage Enamel Pin on denim", b, d)


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    for name, (_label, draw) in sorted(PICTURES.items()):
        (OUT / name).write_text(draw())
    total = sum((OUT / n).stat().st_size for n in PICTURES)
    print(f"{len(PICTURES)} pictures, {total // 1024} KiB in {OUT}")


if __name__ == "__main__":
    main()
