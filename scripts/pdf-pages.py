#!/usr/bin/env python3
"""Prints a PDF's page count and page size (points), e.g. "3 595x842": the page objects counted in
the file and in its compressed object streams. Pure Python (zlib), no PDF library. Used by
scripts/check-report-in-browser to fail when printing a report gives no pages."""
import re
import sys
import zlib


def bodies(data):
    """The file itself, then every Flate stream decompressed (object streams hold page objects)."""
    yield data
    for match in re.finditer(rb"stream\r?\n", data):
        start = match.end()
        end = data.find(b"endstream", start)
        if end < 0:
            continue
        try:
            yield zlib.decompress(data[start:end].rstrip(b"\r\n"))
        except zlib.error:
            pass


def main(path):
    data = open(path, "rb").read()
    if not data.startswith(b"%PDF-"):
        print("0 not-a-pdf")
        return 1
    pages, size = 0, "?"
    for body in bodies(data):
        found = re.findall(rb"/Type\s*/Page(?![a-zA-Z])", body)
        pages += len(found)
        box = re.search(rb"/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*\]", body)
        if box and size == "?":
            width, height = float(box.group(3)) - float(box.group(1)), float(box.group(4)) - float(box.group(2))
            size = f"{width:.0f}x{height:.0f}"
    print(pages, size)
    return 0 if pages > 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
