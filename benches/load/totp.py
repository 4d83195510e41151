#!/usr/bin/env python3
"""Prints the current TOTP code (RFC 6238: SHA-1, 6 digits, 30 s) for an otpauth:// URI or a
base32 secret, so that scripts can sign in an agent that `hushdesk agent add` just enrolled."""

import base64
import hashlib
import hmac
import struct
import sys
import time
import urllib.parse


def secret_of(text):
    text = text.strip()
    if text.startswith("otpauth://"):
        text = urllib.parse.parse_qs(urllib.parse.urlparse(text).query)["secret"][0]
    return base64.b32decode(text + "=" * (-len(text) % 8), casefold=True)


def code(secret, at=None):
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(secret, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


if __name__ == "__main__":
    print(code(secret_of(sys.argv[1] if len(sys.argv) > 1 else sys.stdin.read())))
