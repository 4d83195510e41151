#!/usr/bin/env python3
"""Makes tests/vectors/proof_vectors.json: wallet signatures made by code other than ours.

Bitcoin vectors are signed by PyPI libraries: bitcoin-utils makes its own BIP-137 P2PKH
signatures (ASCII messages only: it prefixes the length in characters, not bytes), coincurve
makes recoverable signatures under the segwit and Electrum headers, and embit's transactions
and BIP-143 sighash make BIP-322 "simple" ones (that path reproduces the BIP's own vectors
byte for byte). Addresses come from `base58` and the BIP-173 reference `bech32`. Ethereum
vectors are signed by eth-account's `personal_sign` (EIP-191). The private keys are fixed
throwaway numbers and every signer is deterministic (RFC 6979), so a rerun gives the same file.

    python3 -m venv /tmp/pv
    /tmp/pv/bin/pip install coincurve==21.0.0 eth-account==0.14.0 base58==2.1.1 \
        bech32==1.2.0 bitcoin-utils==0.8.8 embit==0.8.0
    /tmp/pv/bin/python tests/vectors/make_proof_vectors.py > tests/vectors/proof_vectors.json
"""

import base64
import hashlib
import json

import base58
import bech32
import coincurve
from bitcoinutils.keys import PrivateKey
from bitcoinutils.setup import setup
from embit import ec, script
from embit.networks import NETWORKS
from embit.script import Script, Witness
from embit.transaction import SIGHASH, Transaction, TransactionInput, TransactionOutput
from eth_account import Account
from eth_account.messages import encode_defunct

MESSAGES = [
    "hushdesk proof HD-1042 nonce 7f3a9c",
    "",
    "Доказательство владения: HD-7 ✓",
    "long challenge " + "x" * 300,  # past 252 bytes: a three-byte compact size
]


def hash160(data):
    return hashlib.new("ripemd160", hashlib.sha256(data).digest()).digest()


def compact_size(n):
    if n < 0xFD:
        return bytes([n])
    if n <= 0xFFFF:
        return b"\xfd" + n.to_bytes(2, "little")
    return b"\xfe" + n.to_bytes(4, "little")


def bitcoin_digest(message):
    magic = b"Bitcoin Signed Message:\n"
    data = compact_size(len(magic)) + magic
    raw = message.encode()
    data += compact_size(len(raw)) + raw
    return hashlib.sha256(hashlib.sha256(data).digest()).digest()


def compact_sign(secret, message, first_header):
    key = coincurve.PrivateKey(secret)
    sig = key.sign_recoverable(bitcoin_digest(message), hasher=None)
    r_s, recid = sig[:64], sig[64]
    return base64.b64encode(bytes([first_header + recid]) + r_s).decode()


def bip322_simple(secret, message, mainnet):
    """The BIP-322 simple signature: the witness spending a virtual output to the address."""
    key = ec.PrivateKey(secret)
    spk = script.p2wpkh(key.get_public_key())
    tag = hashlib.sha256(b"BIP0322-signed-message").digest()
    message_hash = hashlib.sha256(tag + tag + message.encode()).digest()
    to_spend = Transaction(
        version=0,
        vin=[TransactionInput(b"\x00" * 32, 0xFFFFFFFF,
                              script_sig=Script(b"\x00\x20" + message_hash), sequence=0)],
        vout=[TransactionOutput(0, spk)], locktime=0)
    to_sign = Transaction(
        version=0, vin=[TransactionInput(to_spend.txid(), 0, sequence=0)],
        vout=[TransactionOutput(0, Script(b"\x6a"))], locktime=0)
    digest = to_sign.sighash_segwit(0, script.p2pkh(key.get_public_key()), 0, SIGHASH.ALL)
    witness = Witness([key.sign(digest).serialize() + bytes([SIGHASH.ALL]),
                       key.get_public_key().sec()])
    address = spk.address(NETWORKS["main" if mainnet else "test"])
    return address, base64.b64encode(witness.serialize()).decode()


def addresses(secret, mainnet):
    pub = coincurve.PrivateKey(secret).public_key.format(compressed=True)
    key_hash = hash160(pub)
    nested = hash160(b"\x00\x14" + key_hash)
    p2sh = base58.b58encode_check(bytes([0x05 if mainnet else 0xC4]) + nested).decode()
    p2wpkh = bech32.encode("bc" if mainnet else "tb", 0, key_hash)
    return p2sh, p2wpkh


def bitcoin_vectors():
    vectors = []
    for n, mainnet in [(0x1111, True), (0x2222, True), (0x3333, False)]:
        setup("mainnet" if mainnet else "testnet")
        secret = n.to_bytes(32, "big")
        wif = PrivateKey(secret_exponent=n)
        p2sh, p2wpkh = addresses(secret, mainnet)
        for message in MESSAGES:
            for compressed in (False, True):
                # bitcoin-utils 0.8 prefixes the length in characters, not bytes, so its
                # signatures over non-ASCII text are wrong; coincurve signs those.
                if message.isascii():
                    signature = wif.sign_message(message, compressed=compressed)
                else:
                    signature = compact_sign(secret, message, 31 if compressed else 27)
                vectors.append({
                    "kind": "p2pkh-" + ("compressed" if compressed else "uncompressed"),
                    "address": wif.get_public_key().get_address(compressed=compressed).to_string(),
                    "message": message,
                    "signature": signature,
                })
            vectors.append({"kind": "p2sh-p2wpkh", "address": p2sh, "message": message,
                            "signature": compact_sign(secret, message, 35)})
            vectors.append({"kind": "p2wpkh", "address": p2wpkh, "message": message,
                            "signature": compact_sign(secret, message, 39)})
            address, signature = bip322_simple(secret, message, mainnet)
            assert address == p2wpkh
            vectors.append({"kind": "bip322-p2wpkh", "address": address, "message": message,
                            "signature": signature})
            # Electrum signs for segwit addresses with the plain compressed-key headers.
            vectors.append({"kind": "electrum-p2wpkh", "address": p2wpkh, "message": message,
                            "signature": compact_sign(secret, message, 31)})
            vectors.append({"kind": "electrum-p2sh-p2wpkh", "address": p2sh, "message": message,
                            "signature": compact_sign(secret, message, 31)})
    return vectors


def ethereum_vectors():
    vectors = []
    for n in (0x4444, 0x5555):
        account = Account.from_key(n.to_bytes(32, "big"))
        for message in MESSAGES:
            signed = account.sign_message(encode_defunct(text=message))
            vectors.append({"kind": "personal_sign", "address": account.address,
                            "message": message, "signature": "0x" + signed.signature.hex().removeprefix("0x")})
    return vectors


print(json.dumps({"bitcoin": bitcoin_vectors(), "ethereum": ethereum_vectors()},
                 ensure_ascii=False, indent=1))
