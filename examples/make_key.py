#!/usr/bin/env python3
"""Create the Ed25519 key your portal signs with.

    python make_key.py supplier-key.pem

Writes the private key as unencrypted PKCS#8 PEM, readable by you only
(mode 0600), and refuses to overwrite an existing file: losing or replacing
a registered key by accident would break your signatures. Prints the public
key, as base64 of its 32 raw bytes and as PEM, to register with gendan.
Keep the private key on the machine that signs; never send it anywhere.
"""

from __future__ import annotations

import argparse
import base64
import os
import sys

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey


def write_new_key(path: str) -> Ed25519PrivateKey:
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    # O_EXCL: never clobber a key; 0o600 from creation, not chmod afterwards.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as file:
        file.write(pem)
    return key


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", help="where to write the private key PEM")
    args = parser.parse_args(argv)
    try:
        key = write_new_key(args.path)
    except FileExistsError:
        print(f"{args.path} exists; not overwriting it", file=sys.stderr)
        return 1
    public = key.public_key()
    print(f"private key written to {args.path} (mode 0600)")
    print(f"public key (base64 raw): {base64.b64encode(public.public_bytes_raw()).decode()}")
    pem = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    print(pem.decode(), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
