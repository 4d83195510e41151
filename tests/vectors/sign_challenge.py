#!/usr/bin/env python3
"""Signs a challenge the desk issued, with wallet code other than ours, for tests/api/proofs.rs.

    sign_challenge.py KIND SECRET_HEX < message

KIND is `p2pkh` (bitcoin-utils' own BIP-137 signature for a legacy address), `p2wpkh`
(a native segwit address from the BIP-173 reference `bech32`, signed with coincurve under
the BIP-137 segwit header) or `eth` (eth-account's `personal_sign`). Prints
{"address": …, "signature": …}. Needs the libraries of make_proof_vectors.py; without them
it exits with status 3 so the test can say what is missing.
"""

import base64
import hashlib
import json
import sys

try:
    import bech32
    import coincurve
    from bitcoinutils.keys import PrivateKey
    from bitcoinutils.setup import setup
    from eth_account import Account
    from eth_account.messages import encode_defunct
except ImportError as missing:
    print(f"missing python library: {missing.name}", file=sys.stderr)
    sys.exit(3)


def compact_size(n):
    if n < 0xFD:
        return bytes([n])
    if n <= 0xFFFF:
        return b"\xfd" + n.to_bytes(2, "little")
    return b"\xfe" + n.to_bytes(4, "little")


def bitcoin_digest(message):
    magic = b"Bitcoin Signed Message:\n"
    raw = message.encode()
    data = compact_size(len(magic)) + magic + compact_size(len(raw)) + raw
    return hashlib.sha256(hashlib.sha256(data).digest()).digest()


def hash160(data):
    return hashlib.new("ripemd160", hashlib.sha256(data).digest()).digest()


def main():
    kind, secret_hex = sys.argv[1], sys.argv[2]
    secret = bytes.fromhex(secret_hex)
    message = sys.stdin.read()
    if kind == "p2pkh":
        setup("mainnet")
        key = PrivateKey(secret_exponent=int.from_bytes(secret, "big"))
        address = key.get_public_key().get_address(compressed=True).to_string()
        signature = key.sign_message(message, compressed=True)
    elif kind == "p2wpkh":
        private = coincurve.PrivateKey(secret)
        address = bech32.encode("bc", 0, hash160(private.public_key.format(compressed=True)))
        sig = private.sign_recoverable(bitcoin_digest(message), hasher=None)
        signature = base64.b64encode(bytes([39 + sig[64]]) + sig[:64]).decode()
    elif kind == "eth":
        account = Account.from_key(secret)
        address = account.address
        signed = account.sign_message(encode_defunct(text=message))
        signature = "0x" + signed.signature.hex().removeprefix("0x")
    else:
        sys.exit(f"unknown kind {kind}")
    print(json.dumps({"address": address, "signature": signature}))


main()
