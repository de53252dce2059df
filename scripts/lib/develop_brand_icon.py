"""Draw the integration's brand icons (an original design, not JDownloader's logo).

A white down-arrow into a tray on an orange rounded square. Regenerate with the test venv
(Pillow comes with Home Assistant): `.venv/bin/python scripts/lib/develop_brand_icon.py`.
Writes custom_components/jdownloader/brand/icon.png (256 px) and icon@2x.png (512 px).
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

BRAND = Path(__file__).resolve().parents[2] / "custom_components" / "jdownloader" / "brand"
TOP, BOTTOM = (255, 183, 77), (239, 108, 0)
SUPERSAMPLE = 4  # draw large, then downscale: smooth edges without antialiasing support


def draw(size: int) -> Image.Image:
    n = size * SUPERSAMPLE
    u = n / 256  # the design is laid out on a 256-unit grid
    gradient = Image.new("RGBA", (n, n))
    shade = ImageDraw.Draw(gradient)
    for y in range(n):
        t = y / (n - 1)
        rgb = tuple(int(a + (b - a) * t) for a, b in zip(TOP, BOTTOM, strict=True))
        shade.line([(0, y), (n, y)], fill=(*rgb, 255))
    mask = Image.new("L", (n, n), 0)
    ImageDraw.Draw(mask).rounded_rectangle([0, 0, n - 1, n - 1], radius=int(56 * u), fill=255)
    img = Image.new("RGBA", (n, n), (0, 0, 0, 0))
    img.paste(gradient, (0, 0), mask)

    pen = ImageDraw.Draw(img)
    white = (255, 255, 255, 255)
    pen.rounded_rectangle([108 * u, 40 * u, 148 * u, 128 * u], radius=8 * u, fill=white)
    pen.polygon([(72 * u, 112 * u), (184 * u, 112 * u), (128 * u, 168 * u)], fill=white)
    bar = 22 * u  # the tray: an open U
    pen.rounded_rectangle([52 * u, 150 * u, 52 * u + bar, 206 * u], radius=bar / 2, fill=white)
    pen.rounded_rectangle([204 * u - bar, 150 * u, 204 * u, 206 * u], radius=bar / 2, fill=white)
    pen.rounded_rectangle([52 * u, 206 * u - bar, 204 * u, 206 * u], radius=bar / 2, fill=white)
    return img.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    BRAND.mkdir(exist_ok=True)
    draw(256).save(BRAND / "icon.png", optimize=True)
    draw(512).save(BRAND / "icon@2x.png", optimize=True)


if __name__ == "__main__":
    main()
