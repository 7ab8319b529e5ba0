#!/usr/bin/env python3
"""A strict ArcSight CEF parser for the tests: reads CEF lines on stdin, prints one JSON
object per line ({"version","vendor","product","device_version","signature","name",
"severity","ext":{...}}), and exits 1 naming the line and fault on anything the CEF
specification (Implementing ArcSight CEF, rev. 25) does not allow:
- exactly seven header fields after "CEF:", "|" and "\\" escaped as "\\|" and "\\\\";
  no other escape and no line break in the header;
- severity an integer 0-10 (or Low, Medium, High, Very-High);
- extension: space-separated key=value, keys [A-Za-z0-9_]+ and unique, values with "\\"
  and "=" escaped and line breaks written \\n or \\r; no other escape, no bare "=".
"""
import json
import re
import sys

KEY = re.compile(r"[A-Za-z0-9_]+")


class CefError(Exception):
    pass


def header(line):
    if not line.startswith("CEF:"):
        raise CefError("does not start with CEF:")
    fields, cur, i = [], "", 4
    while i < len(line) and len(fields) < 7:
        c = line[i]
        if c == "\\":
            if i + 1 >= len(line) or line[i + 1] not in "|\\":
                raise CefError("bad escape in header at %d" % i)
            cur += line[i + 1]
            i += 2
            continue
        if c in "\r\n":
            raise CefError("line break in header")
        if c == "|":
            fields.append(cur)
            cur = ""
        else:
            cur += c
        i += 1
    if len(fields) != 7:
        raise CefError("expected 7 header fields, got %d" % len(fields))
    return fields, line[i:]


def extension(text):
    out = {}
    # Split at spaces that are followed by KEY=.
    starts = [m.start() for m in re.finditer(r"(?:^| )([A-Za-z0-9_]+)=", text)]
    if text and not starts or (starts and starts[0] != 0):
        raise CefError("extension does not start with key=")
    for n, s in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(text)
        part = text[s:end].lstrip(" ")
        key, _, raw = part.partition("=")
        if not KEY.fullmatch(key):
            raise CefError("bad key %r" % key)
        if key in out:
            raise CefError("duplicate key %r" % key)
        val, i = "", 0
        while i < len(raw):
            c = raw[i]
            if c == "\\":
                nxt = raw[i + 1] if i + 1 < len(raw) else ""
                if nxt not in ("\\", "=", "n", "r"):
                    raise CefError("bad escape \\%s in %s" % (nxt, key))
                val += {"n": "\n", "r": "\r"}.get(nxt, nxt)
                i += 2
                continue
            if c == "=":
                raise CefError("unescaped = in %s" % key)
            if c in "\r\n":
                raise CefError("raw line break in %s" % key)
            val += c
            i += 1
        out[key] = val
    return out


def main():
    for number, line in enumerate(sys.stdin.read().splitlines(), 1):
        try:
            fields, rest = header(line)
            version = fields[0]
            if version not in ("0", "1"):
                raise CefError("version %r" % version)
            sev = fields[6]
            if not (sev.isdigit() and 0 <= int(sev) <= 10) and sev not in ("Low", "Medium", "High", "Very-High"):
                raise CefError("severity %r" % sev)
            ext = extension(rest)
        except CefError as e:
            print("line %d: %s: %s" % (number, e, line), file=sys.stderr)
            return 1
        names = ["version", "vendor", "product", "device_version", "signature", "name", "severity"]
        print(json.dumps(dict(zip(names, fields), ext=ext)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
