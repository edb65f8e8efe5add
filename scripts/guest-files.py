#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""guest-files.py LOG DIR: write the files a guest job sent on its console
with emit_file (guest/lib.sh: "@@FILE name=NAME bytes=N", base64 of the
gzip'd file, "@@ENDFILE name=NAME") into DIR/NAME; print their names.
A block cut short (the guest died) is an error."""
import base64
import gzip
import os
import re
import sys

B64 = re.compile(r'^[A-Za-z0-9+/=]+$')


def main(log, outdir):
    os.makedirs(outdir, exist_ok=True)
    name, chunks, bad = None, [], 0
    with open(log, 'rb') as f:
        for raw in f:
            line = raw.decode('ascii', 'replace').replace('\r', '').strip()
            if line.startswith('@@FILE '):
                kv = dict(w.split('=', 1) for w in line.split()[1:])
                name, size, chunks = kv['name'], int(kv['bytes']), []
            elif line.startswith('@@ENDFILE ') and name:
                data = gzip.decompress(base64.b64decode(''.join(chunks)))
                if len(data) != size:
                    print(f'{name}: {len(data)} bytes, expected {size}', file=sys.stderr)
                    bad += 1
                with open(os.path.join(outdir, os.path.basename(name)), 'wb') as o:
                    o.write(data)
                print(name)
                name = None
            elif name and B64.match(line):
                chunks.append(line)
    if name:
        print(f'{name}: no @@ENDFILE (guest output cut short)', file=sys.stderr)
        bad += 1
    return 1 if bad else 0


if __name__ == '__main__':
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2]))
